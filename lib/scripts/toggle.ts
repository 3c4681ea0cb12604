/**
 * The enable/disable toggle for restarts, stored on the host so that every iisctl, from any
 * machine, sees it. It lives in a registry key of iisctl's own: the key iisreset /DISABLE uses is
 * not documented (docs/sources.md §1.8), and that flag only gates iisreset's COM interface, not
 * Stop-Service. When iisreset.exe exists, `/disable` and `/enable` are run too so the classic tool
 * is blocked as well.
 */
import { ps } from '../powershell/quote';
import { nativeLines, type PsCommand } from './command';
import { HOST_UTC_NOW } from './hostClock';

export const TOGGLE_KEY = 'HKLM:\\SOFTWARE\\iisctl';

export interface ToggleState {
  enabled: boolean;
  /** Who disabled restarts (DOMAIN\user as the host saw it), when and why. */
  disabledBy?: string;
  disabledAt?: string;
  reason?: string;
}

export interface ClassicToggleResult {
  /** Whether iisreset.exe was found and run. */
  ran: boolean;
  exitCode?: number;
  output?: string;
}

export function readToggle(): PsCommand<ToggleState> {
  return {
    purpose: 'read whether restarts are enabled',
    script: ps`$key = ${TOGGLE_KEY}
if (Test-Path -Path $key) {
    $p = Get-ItemProperty -Path $key
    [pscustomobject]@{ Disabled = ([int]$p.RestartsDisabled -eq 1); By = [string]$p.DisabledBy; At = [string]$p.DisabledAt; Reason = [string]$p.DisabledReason }
} else {
    [pscustomobject]@{ Disabled = $false; By = ''; At = ''; Reason = '' }
}`,
    parse: parseToggle,
  };
}

export function parseToggle(data: unknown): ToggleState {
  const r = (data ?? {}) as Record<string, unknown>;
  if (r.Disabled !== true) return { enabled: true };
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  return { enabled: false, disabledBy: text(r.By), disabledAt: text(r.At), reason: text(r.Reason) };
}

const RUN_CLASSIC = (switchName: '/disable' | '/enable') => ps`$classic = [pscustomobject]@{ Ran = $false; ExitCode = $null; Output = '' }
if (Get-Command -Name 'iisreset.exe' -ErrorAction SilentlyContinue) {
    $out = ${nativeLines(ps`& iisreset.exe ${switchName}`)}
    $classic = [pscustomobject]@{ Ran = $true; ExitCode = $LASTEXITCODE; Output = ($out | Out-String).Trim() }
}
$classic`;

export function disableRestarts(reason: string): PsCommand<ClassicToggleResult> {
  return {
    purpose: 'disable restarts',
    script: ps`$key = ${TOGGLE_KEY}
if (-not (Test-Path -Path $key)) { New-Item -Path $key -Force | Out-Null }
Set-ItemProperty -Path $key -Name 'RestartsDisabled' -Value 1
Set-ItemProperty -Path $key -Name 'DisabledBy' -Value ([Environment]::UserDomainName + '\\' + [Environment]::UserName)
Set-ItemProperty -Path $key -Name 'DisabledAt' -Value (${HOST_UTC_NOW}.ToString('o'))
Set-ItemProperty -Path $key -Name 'DisabledReason' -Value ${reason}
${RUN_CLASSIC('/disable')}`,
    parse: parseClassic,
  };
}

export function enableRestarts(): PsCommand<ClassicToggleResult> {
  return {
    purpose: 'enable restarts',
    script: ps`$key = ${TOGGLE_KEY}
if (Test-Path -Path $key) { Set-ItemProperty -Path $key -Name 'RestartsDisabled' -Value 0 }
${RUN_CLASSIC('/enable')}`,
    parse: parseClassic,
  };
}

function parseClassic(data: unknown): ClassicToggleResult {
  const r = (data ?? {}) as Record<string, unknown>;
  if (r.Ran !== true) return { ran: false };
  return { ran: true, exitCode: typeof r.ExitCode === 'number' ? r.ExitCode : undefined, output: typeof r.Output === 'string' ? r.Output : undefined };
}
