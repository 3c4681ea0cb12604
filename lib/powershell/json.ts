/**
 * Windows PowerShell 5.1 ConvertTo-Json output, normalised on the Node side
 * (docs/sources.md §P3, §3.4, §3.5):
 * - empty output ('') means "no objects";
 * - a single object arrives where an array was meant (pipeline collapse): use `asArray`;
 * - dates arrive as "\/Date(ms)\/" (after JSON.parse: "/Date(ms)/"), Get-Date objects as
 *   {value, DisplayHint, DateTime}: both become Date;
 * - an array can arrive wrapped as {value: [...], Count: n}: unwrapped;
 * - a primitive that carries note properties is written as {"value": 37, <notes>} (5.1's
 *   ConvertToJsonCommand.AddPsProperties puts a non-dictionary base object under "value" and adds
 *   the PSObject's extended properties: PowerShell repository,
 *   src/Microsoft.PowerShell.Commands.Utility/commands/utility/WebCmdlet/ConvertToJsonCommand.cs).
 *   Remoting adds PSComputerName, RunspaceId and PSShowComputerName to every object it returns
 *   (https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_remote_output),
 *   primitives included, so a remote 37 arrives as {"value":37,"PSComputerName":"WEB02",...}:
 *   unwrapped wherever it appears;
 * - enums arrive as integers: `serviceStatusName`, `startModeName`, `objectStateName` map them;
 * - ' < > & arrive as \u0027 \u003c \u003e \u0026, which JSON.parse already restores.
 */

const MS_DATE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

/** Note properties that can sit next to "value" on a wrapped primitive: Get-Date's, an array's, remoting's. */
const ETS_NOTES = new Set(['DisplayHint', 'DateTime', 'Count', 'PSComputerName', 'RunspaceId', 'PSShowComputerName']);

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'string') {
    const m = MS_DATE.exec(value);
    return m ? new Date(Number(m[1])) : value;
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const keys = Object.keys(v);
    if (!keys.includes('value') || keys.length < 2 || !keys.every((k) => k === 'value' || ETS_NOTES.has(k))) return value;
    if (keys.includes('Count') && !Array.isArray(v.value)) return value; // a {value, Count} that is not an ETS-wrapped array
    return v.value; // already revived: a Date, an unwrapped array, a primitive
  }
  return value;
}

/** Parses one 5.1 JSON value (normalised as parsePsJson does); '' is null. */
export function parsePsJsonValue(text: string): unknown {
  const trimmed = text.trim();
  return trimmed === '' ? null : (JSON.parse(trimmed, reviver) as unknown);
}

/** Parses 5.1 JSON text into a list of objects: '' and null give [], one object gives [object]. */
export function parsePsJson(text: string): unknown[] {
  const value = parsePsJsonValue(text);
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The list a script meant to return, whatever 5.1 collapsed it to. */
export function asArray<T = unknown>(value: unknown): T[] {
  if (value === null || value === undefined || value === '') return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

function enumName(table: Readonly<Record<number, string>>, value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && table[value] !== undefined) return table[value];
  throw new Error(`unexpected ${what} value from PowerShell: ${JSON.stringify(value)}`);
}

/** System.ServiceProcess.ServiceControllerStatus (learn.microsoft.com/dotnet/api/system.serviceprocess.servicecontrollerstatus). */
export const SERVICE_STATUS: Readonly<Record<number, string>> = {
  1: 'Stopped',
  2: 'StartPending',
  3: 'StopPending',
  4: 'Running',
  5: 'ContinuePending',
  6: 'PausePending',
  7: 'Paused',
};

/** System.ServiceProcess.ServiceStartMode (learn.microsoft.com/dotnet/api/system.serviceprocess.servicestartmode). */
export const SERVICE_START_MODE: Readonly<Record<number, string>> = {
  0: 'Boot',
  1: 'System',
  2: 'Automatic',
  3: 'Manual',
  4: 'Disabled',
};

/** Microsoft.Web.Administration.ObjectState (learn.microsoft.com/dotnet/api/microsoft.web.administration.objectstate?view=iis-dotnet). */
export const OBJECT_STATE: Readonly<Record<number, string>> = {
  0: 'Starting',
  1: 'Started',
  2: 'Stopping',
  3: 'Stopped',
  4: 'Unknown',
};

export const serviceStatusName = (v: unknown): string => enumName(SERVICE_STATUS, v, 'ServiceControllerStatus');
export const startModeName = (v: unknown): string => enumName(SERVICE_START_MODE, v, 'ServiceStartMode');
export const objectStateName = (v: unknown): string => enumName(OBJECT_STATE, v, 'ObjectState');
