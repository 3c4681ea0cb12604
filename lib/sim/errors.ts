/**
 * PowerShell error records of the simulated host and their Windows PowerShell 5.1 "NormalView"
 * rendering on stderr.
 *
 * Rendering (verified against public 5.1 transcripts, e.g. a CommandNotFoundException quoted in the
 * Azure PowerShell docs and a MissingMandatoryParameter transcript of Invoke-WebRequest):
 *
 *   Get-Foo : The term 'Get-Foo' is not recognized as ...
 *   At line:1 char:1
 *   + Get-Foo
 *   + ~~~~~~~
 *       + CategoryInfo          : ObjectNotFound: (Get-Foo:String) [], CommandNotFoundException
 *       + FullyQualifiedErrorId : CommandNotFoundException
 *   <one line holding a single space>
 *
 * The "X : " prefix is the command name; errors without a command (throw, .NET method failures,
 * Write-Error inside an anonymous script block) have none. Lines end with LF in the simulator
 * (node-powershell trims and never parses stderr; docs/sources.md §P1.10).
 */
import { PsObject, PsValue, PsEnum, shortTypeName, toStr, typeNameOf } from './values';

/**
 * System.Management.Automation.ErrorCategory (learn.microsoft.com ErrorCategory enum; values are
 * the declaration order 0..31).
 */
export const ERROR_CATEGORIES = [
  'NotSpecified', 'OpenError', 'CloseError', 'DeviceError', 'DeadlockDetected', 'InvalidArgument',
  'InvalidData', 'InvalidOperation', 'InvalidResult', 'InvalidType', 'MetadataError', 'NotImplemented',
  'NotInstalled', 'ObjectNotFound', 'OperationStopped', 'OperationTimeout', 'SyntaxError', 'ParserError',
  'PermissionDenied', 'ResourceBusy', 'ResourceExists', 'ResourceUnavailable', 'ReadError', 'WriteError',
  'FromStdErr', 'SecurityError', 'ProtocolError', 'ConnectionError', 'AuthenticationError',
  'LimitsExceeded', 'QuotaExceeded', 'NotEnabled',
] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/**
 * Exception.HResult defaults by exception type (dotnet/runtime corerror.h / winerror.h):
 * COR_E_EXCEPTION 0x80131500, COR_E_SYSTEM 0x80131501 (SystemException, hence every PowerShell
 * RuntimeException subclass), COR_E_INVALIDOPERATION 0x80131509, E_INVALIDARG 0x80070057.
 */
const HRESULT_BY_TYPE: Record<string, number> = {
  'System.Exception': -2146233088,
  'System.InvalidOperationException': -2146233079,
  'System.ArgumentException': -2147024809,
  'System.NotSupportedException': -2146233067,
  'System.TimeoutException': -2146233083,
  'System.IndexOutOfRangeException': -2146233080,
  'System.FormatException': -2146233033,
};
const COR_E_SYSTEM = -2146233087;

export function defaultHResult(typeName: string): number {
  return HRESULT_BY_TYPE[typeName] ?? COR_E_SYSTEM;
}

export interface PsExceptionInfo {
  /** Full .NET type name, e.g. System.Management.Automation.CommandNotFoundException. */
  typeName: string;
  message: string;
  hresult?: number;
  /** Win32Exception.NativeErrorCode: the Win32 error behind the exception. */
  nativeErrorCode?: number;
  inner?: PsExceptionInfo;
  /** RemoteException.SerializedRemoteException: the original exception of a remote error. */
  serializedRemote?: PsExceptionInfo;
}

/** Where the failing command sits in the script (for "At line:L char:C" and the ~~~ marker). */
export interface ErrorPosition {
  /** The full text of the line holding the extent start. */
  lineText: string;
  /** 1-based line and column. */
  line: number;
  column: number;
  /** Extent length on that line (clipped to the line). */
  length: number;
  /** Script file name; absent for interactive input and script blocks ("At line:"). */
  scriptName?: string;
}

export interface PsErrorRecord {
  exception: PsExceptionInfo;
  fullyQualifiedErrorId: string;
  category: ErrorCategory;
  targetObject: PsValue;
  /** CategoryInfo.Activity: the command name in brackets; empty for throw/method errors. */
  activity?: string;
  /** Command name shown as the "X : " prefix (InvocationInfo.MyCommand.Name). */
  commandName?: string;
  position?: ErrorPosition;
}

export function makeError(
  typeName: string,
  message: string,
  fqid: string,
  category: ErrorCategory,
  targetObject: PsValue = null,
  extra: Partial<PsErrorRecord> = {},
): PsErrorRecord {
  return { exception: { typeName, message, hresult: defaultHResult(typeName) }, fullyQualifiedErrorId: fqid, category, targetObject, ...extra };
}

/** A terminating error travelling through the interpreter (catchable by try/catch). */
export class PsTerminatingError extends Error {
  /**
   * scriptTerminating: `throw` and -ErrorAction Stop end the whole script; other terminating
   * errors (cmdlet ThrowTerminatingError, CommandNotFound, binding, method failures) end only the
   * statement when no try/catch is waiting and $ErrorActionPreference is not Stop.
   */
  constructor(public readonly record: PsErrorRecord, public readonly scriptTerminating = false) {
    super(record.exception.message);
  }
}

/** Control flow as exceptions: break/continue/return/exit unwind the JS stack. */
export class BreakSignal extends Error {
  /** Output the loop body wrote before the signal (it still belongs to the loop's output). */
  partial: PsValue[] = [];
  constructor(public readonly label?: string) {
    super('break');
  }
}
export class ContinueSignal extends Error {
  /** Output the loop body wrote before the signal (it still belongs to the loop's output). */
  partial: PsValue[] = [];
  constructor(public readonly label?: string) {
    super('continue');
  }
}
export class ReturnSignal extends Error {
  constructor(public readonly value: PsValue[]) {
    super('return');
  }
}
export class ExitSignal extends Error {
  constructor(public readonly code: number) {
    super('exit');
  }
}

/**
 * ErrorCategoryInfo.Ellipsize as seen in 5.1 output: target names longer than 40 characters are
 * shown as the first 15 + "..." + the last 15 characters (e.g. "Host configurat...pending reboot."
 * and "C:/WINDOWS/Syst....exe.LineNumber" in public transcripts).
 */
export function ellipsize(s: string): string {
  if (s.length <= 40) return s;
  return s.slice(0, 15) + '...' + s.slice(s.length - 15);
}

/** Text of `$_.CategoryInfo.ToString()`: `Category: (TargetName:TargetType) [Activity], Reason`. */
export function categoryInfoText(rec: PsErrorRecord): string {
  const t = rec.targetObject;
  const targetName = t === null ? '' : ellipsize(toStr(t));
  const targetType = t === null ? '' : shortTypeName(typeNameOf(t));
  const reason = shortTypeName(rec.exception.typeName);
  return `${rec.category}: (${targetName}:${targetType}) [${rec.activity ?? ''}], ${reason}`;
}

/** "At line:L char:C" + the source line + the ~~~ marker (InvocationInfo.PositionMessage). */
export function positionMessage(p: ErrorPosition): string {
  const where = p.scriptName ? `At ${p.scriptName}:${p.line} char:${p.column}` : `At line:${p.line} char:${p.column}`;
  const len = Math.max(1, Math.min(p.length, p.lineText.length - (p.column - 1)));
  return `${where}\n+ ${p.lineText}\n+ ${' '.repeat(p.column - 1)}${'~'.repeat(len)}`;
}

/** The whole NormalView block written to stderr for an uncaught error (LF line ends). */
export function formatErrorRecord(rec: PsErrorRecord): string {
  const lines: string[] = [];
  const prefix = rec.commandName ? `${rec.commandName} : ` : '';
  lines.push(prefix + rec.exception.message);
  if (rec.position) lines.push(positionMessage(rec.position));
  lines.push(`    + CategoryInfo          : ${categoryInfoText(rec)}`);
  lines.push(`    + FullyQualifiedErrorId : ${rec.fullyQualifiedErrorId}`);
  lines.push(' ');
  return lines.join('\n') + '\n';
}

export function categoryEnum(c: ErrorCategory): PsEnum {
  return new PsEnum('System.Management.Automation.ErrorCategory', c, ERROR_CATEGORIES.indexOf(c));
}

/** The exception object seen by scripts: $_.Exception.Message / .GetType().FullName / .HResult. */
export function exceptionObject(e: PsExceptionInfo, rec?: PsErrorRecord): PsObject {
  const o = new PsObject([e.typeName, 'System.Exception', 'System.Object'], () => e.message);
  o.addProperty('Message', () => e.message);
  o.addProperty('HResult', () => e.hresult ?? defaultHResult(e.typeName));
  o.addProperty('InnerException', () => (e.inner ? exceptionObject(e.inner) : null));
  // System.ComponentModel.Win32Exception.NativeErrorCode; other exception types have no such member.
  if (e.nativeErrorCode !== undefined) o.addProperty('NativeErrorCode', () => e.nativeErrorCode as number);
  o.addProperty('Source', () => null);
  if (e.serializedRemote) {
    const original = e.serializedRemote;
    o.addProperty('SerializedRemoteException', () => deserializedException(original));
  }
  if (rec) o.addProperty('ErrorRecord', () => errorRecordObject(rec));
  o.addMethod('GetBaseException', () => {
    let cur = e;
    while (cur.inner) cur = cur.inner;
    return exceptionObject(cur);
  });
  return o;
}

/** A deserialized exception: its properties (Message, HResult, NativeErrorCode, InnerException), no methods. */
function deserializedException(e: PsExceptionInfo): PsObject {
  const o = new PsObject([`Deserialized.${e.typeName}`, 'Deserialized.System.Exception', 'Deserialized.System.Object'], () => e.message);
  o.addNote('Message', e.message);
  o.addNote('HResult', e.hresult ?? defaultHResult(e.typeName));
  if (e.nativeErrorCode !== undefined) o.addNote('NativeErrorCode', e.nativeErrorCode);
  o.addNote('InnerException', e.inner ? toStr(exceptionObject(e.inner)) : null);
  return o;
}

const recordObjects = new WeakMap<PsErrorRecord, PsObject>();

/** The ErrorRecord object seen by scripts ($_ in catch, $Error[0], -ErrorVariable). */
export function errorRecordObject(rec: PsErrorRecord): PsObject {
  const cached = recordObjects.get(rec);
  if (cached) return cached;
  const o = new PsObject(['System.Management.Automation.ErrorRecord', 'System.Object'], () => rec.exception.message);
  recordObjects.set(rec, o);
  o.native = rec;
  o.addProperty('Exception', () => exceptionObject(rec.exception, rec));
  o.addProperty('FullyQualifiedErrorId', () => rec.fullyQualifiedErrorId);
  o.addProperty('TargetObject', () => rec.targetObject);
  o.addProperty('ErrorDetails', () => null);
  o.addProperty('CategoryInfo', () => {
    const ci = new PsObject(['System.Management.Automation.ErrorCategoryInfo', 'System.Object'], () => categoryInfoText(rec));
    ci.addProperty('Category', () => categoryEnum(rec.category));
    ci.addProperty('Activity', () => rec.activity ?? '');
    ci.addProperty('Reason', () => shortTypeName(rec.exception.typeName));
    ci.addProperty('TargetName', () => (rec.targetObject === null ? '' : toStr(rec.targetObject)));
    ci.addProperty('TargetType', () => (rec.targetObject === null ? '' : shortTypeName(typeNameOf(rec.targetObject))));
    return ci;
  });
  o.addProperty('InvocationInfo', () => {
    const ii = new PsObject(['System.Management.Automation.InvocationInfo', 'System.Object']);
    ii.addProperty('ScriptLineNumber', () => rec.position?.line ?? 0);
    ii.addProperty('OffsetInLine', () => rec.position?.column ?? 0);
    ii.addProperty('Line', () => rec.position?.lineText ?? '');
    ii.addProperty('PositionMessage', () => (rec.position ? positionMessage(rec.position) : ''));
    ii.addProperty('InvocationName', () => rec.commandName ?? '');
    return ii;
  });
  o.addProperty('ScriptStackTrace', () => '');
  return o;
}

/** Recover the record behind an ErrorRecord object (for `throw $_` and $Error bookkeeping). */
export function recordOf(v: PsValue): PsErrorRecord | undefined {
  if (!(v instanceof PsObject) || v.native === undefined) return undefined;
  const n = v.native as Partial<PsErrorRecord>;
  return typeof n.fullyQualifiedErrorId === 'string' && n.exception ? (n as PsErrorRecord) : undefined;
}
