/**
 * Windows PowerShell 5.1 ConvertTo-Json output, normalised on the Node side
 * (docs/sources.md §P3, §3.4, §3.5):
 * - empty output ('') means "no objects";
 * - a single object arrives where an array was meant (pipeline collapse): use `asArray`;
 * - dates arrive as "\/Date(ms)\/" (after JSON.parse: "/Date(ms)/"), Get-Date objects as
 *   {value, DisplayHint, DateTime}: both become Date;
 * - an array can arrive wrapped as {value: [...], Count: n}: unwrapped;
 * - enums arrive as integers: `serviceStatusName`, `startModeName`, `objectStateName` map them;
 * - ' < > & arrive as \u0027 \u003c \u003e \u0026, which JSON.parse already restores.
 */

const MS_DATE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'string') {
    const m = MS_DATE.exec(value);
    return m ? new Date(Number(m[1])) : value;
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value).sort().join(',');
    const v = value as Record<string, unknown>;
    if (keys === 'DateTime,DisplayHint,value') return v.value; // Get-Date's ETS wrapper (already revived)
    if (keys === 'Count,value' && Array.isArray(v.value)) return v.value; // ETS-wrapped array
  }
  return value;
}

/** Parses 5.1 JSON text into a list of objects: '' and null give [], one object gives [object]. */
export function parsePsJson(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const value: unknown = JSON.parse(trimmed, reviver);
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
