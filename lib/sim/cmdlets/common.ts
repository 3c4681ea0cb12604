/**
 * Helpers shared by the machine cmdlets: refusing unmodelled parameters, error records with
 * inner exceptions, wildcard names, pipeline targets.
 */
import type { CmdletCall } from '../interp/types';
import { makeError, type ErrorCategory, type PsErrorRecord, type PsExceptionInfo, defaultHResult } from '../errors';
import { wildcardToRegex } from '../interp/operators';
import { getProperty, NO_MEMBER } from '../interp/dotnet';
import { PsDateTime, PsObject, type PsValue, asList, toStr } from '../values';

/** Refuses parameters the simulated cmdlet does not implement (never silently ignored). */
export function only(call: CmdletCall, allowed: string[]): void {
  for (const k of call.params.values.keys()) {
    if (!allowed.some((a) => a.toLowerCase() === k.toLowerCase())) notImplemented(call, `parameter -${k} of ${call.name}`);
  }
}

export function notImplemented(call: CmdletCall, what: string): never {
  return call.ctx.throwTerminating(
    makeError('System.NotSupportedException', `The simulated host does not implement ${what} (iisctl simulator).`,
      `NotImplementedBySimulatedHost,${call.ctx.cmdletTypeName}`, 'NotImplemented'),
  );
}

/** An exception chain: outer first. HResults default per type (errors.ts) unless given. */
export function chain(...links: Array<{ type: string; message: string; hresult?: number; nativeErrorCode?: number }>): PsExceptionInfo {
  let inner: PsExceptionInfo | undefined;
  for (let i = links.length - 1; i >= 0; i--) {
    const l = links[i];
    inner = { typeName: l.type, message: l.message, hresult: l.hresult ?? defaultHResult(l.type), nativeErrorCode: l.nativeErrorCode, inner };
  }
  return inner as PsExceptionInfo;
}

export function errorWith(exception: PsExceptionInfo, fqid: string, category: ErrorCategory, target: PsValue = null): PsErrorRecord {
  const rec = makeError(exception.typeName, exception.message, fqid, category, target);
  rec.exception = exception;
  return rec;
}

export function hasWildcard(s: string): boolean {
  return /[*?[]/.test(s);
}

export function likeAny(value: string, patterns: string[]): boolean {
  return patterns.some((p) => wildcardToRegex(p, false).test(value));
}

export function strings(v: PsValue | undefined): string[] {
  return v === undefined ? [] : asList(v).map((x) => toStr(x));
}

export function prop(v: PsValue, name: string): PsValue | undefined {
  const r = getProperty(v, name);
  return r === NO_MEMBER ? undefined : r;
}

export function localDate(ms: number): PsDateTime {
  return new PsDateTime(ms, 'Local');
}

/** A .NET object as a PSObject with notes in declaration order and ToString(). */
export function dotnetObject(typeNames: string[], props: Array<[string, PsValue | (() => PsValue)]>, toString?: () => string): PsObject {
  const o = new PsObject([...typeNames, 'System.Object'], toString);
  for (const [k, v] of props) {
    if (typeof v === 'function') o.addProperty(k, v);
    else o.addNote(k, v);
  }
  return o;
}

/** Items from pipeline input or -InputObject. */
export function inputItems(call: CmdletCall): PsValue[] {
  if (call.hasInput) return call.input;
  return call.params.has('InputObject') ? asList(call.params.get('InputObject') ?? null) : [];
}

/** PowerShell's CommandNotFoundException for a command whose module (or program) is not installed. */
export function commandNotFound(call: Pick<CmdletCall, 'name' | 'ctx'>): never {
  const name = call.name;
  // Same text as the interpreter's unknown-command error (5.1 transcripts, see interp/evaluator.ts).
  const rec = makeError('System.Management.Automation.CommandNotFoundException',
    `The term '${name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
    'CommandNotFoundException', 'ObjectNotFound', name, { commandName: name, activity: '' });
  return call.ctx.throwTerminating(rec);
}
