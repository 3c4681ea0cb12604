/**
 * Public types of the cmdlet / native-command registry (the contract other components implement).
 */
import type { BoundParams } from '../catalog';
import type { PsErrorRecord } from '../errors';
import type { PsScriptBlock, PsValue } from '../values';

export interface CmdletContext {
  /** The simulated machine facade (opaque to the language layer). */
  host: unknown;
  computerName: string;
  /** Canonical cmdlet name and its .NET type name (for FullyQualifiedErrorIds "Id,TypeName"). */
  commandName: string;
  cmdletTypeName: string;
  /**
   * Writes a non-terminating error. Honours -ErrorAction / $ErrorActionPreference: with Stop it
   * throws (the call does not return); Continue writes it to stderr, SilentlyContinue only
   * records it in $Error, Ignore drops it. Fill `activity`/`commandName` or let the host do it.
   */
  writeError(rec: PsErrorRecord): void;
  /** Throws a terminating error (ThrowTerminatingError). */
  throwTerminating(rec: PsErrorRecord): never;
  /** "WARNING: text" on stdout unless -WarningAction / $WarningPreference suppresses it. */
  writeWarning(text: string): void;
  /** Host output (Write-Host): stdout. */
  writeHost(text: string): void;
  /** Waits on the machine's clock (lib/sim/clock.ts: real or virtual time). */
  sleep(ms: number): Promise<void>;
  /** The machine's time, ms since the epoch (Get-Date, [DateTime]::Now). */
  now(): number;
  /** Runs a script block with arguments, `$_` optionally set (dot-sourced, like ForEach-Object). */
  invokeScriptBlock(sb: PsScriptBlock, args: PsValue[], dollarUnder?: PsValue): Promise<PsValue[]>;
  /** Whether -WhatIf was given (cmdlets that support ShouldProcess must then not act). */
  whatIf: boolean;
  getVariable(name: string): PsValue | undefined;
  setVariable(name: string, value: PsValue): void;
  /** What this runspace can run (Get-Command). */
  commands(): CommandTable;
}

/** The commands a runspace knows, as Get-Command sees them. */
export interface CommandTable {
  /** Canonical names of the cmdlets with an implementation (generic and machine ones). */
  cmdlets: string[];
  /** Registered native commands: lower-case names without ".exe". */
  natives: string[];
  /** Functions defined in this runspace, with the name as written and the body text. */
  functions: Array<{ name: string; definition: string }>;
}

export interface CmdletCall {
  name: string;
  parameterSetName: string;
  params: BoundParams;
  /** Pipeline input objects (all of them: the simulator runs pipelines stage by stage). */
  input: PsValue[];
  /** Whether the command received pipeline input at all (even $null). */
  hasInput: boolean;
  ctx: CmdletContext;
}

export type CmdletImpl = (call: CmdletCall) => PsValue[] | Promise<PsValue[]>;

export interface NativeResult {
  stdout: string;
  stderr?: string;
  exitCode: number;
}

export interface NativeCall {
  /** The name as invoked (e.g. 'iisreset.exe', 'iisreset'). */
  name: string;
  /** Arguments as the native program receives them (strings). */
  args: string[];
  input: PsValue[];
  ctx: CmdletContext;
}

export type NativeImpl = (call: NativeCall) => NativeResult | Promise<NativeResult>;
