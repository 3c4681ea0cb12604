/**
 * Running a command on another computer through PowerShell remoting (WinRM: docs/sources.md §6),
 * over ONE PSSession per computer kept in the local persistent PowerShell process.
 *
 * Every remote call's script:
 * 1. looks up the computer's PSSession in a global hashtable of the host process
 *    ($global:IisctlPSSessions, keyed by the lower-case computer name);
 * 2. drops it (Remove-PSSession) when its State is not 'Opened' (Broken after a reboot or a network
 *    failure, Closed after Remove-PSSession);
 * 3. creates it with New-PSSession -ComputerName [-Credential] when there is none (first use, after
 *    a broken session, or after the local process was restarted);
 * 4. runs the command with Invoke-Command -Session; when that fails AND the session is no longer
 *    Opened (it broke under us: "Because the session state for session WinRM1, ..., is not equal
 *    to Open, you cannot run a command in the session. The session state is Broken."), the
 *    session is created again and the command run once more. A failure while the session stays
 *    Opened is the command's own and is not repeated.
 *
 * The body runs inside the script block with its own $ErrorActionPreference='Stop' because remote
 * terminating errors arrive as non-terminating ones (ref 6); -ErrorAction Stop on Invoke-Command
 * turns them back into a terminating error for the envelope. New-PSSession failures keep their
 * PSRemotingTransportException and FullyQualifiedErrorId (WinRMOperationTimeout,PSSessionOpenFailed;
 * AccessDenied,PSSessionOpenFailed), which classify.ts maps to UNREACHABLE / ACCESS_DENIED.
 *
 * Credentials: a PSCredential is built on the host from the user name and a Secret password
 * (SecureString.AppendChar per character: ConvertTo-SecureString is not in the 5.1 catalog the
 * simulator binds against). The password reaches the script only through quote.ts; every
 * printable form of the script (PsCode.safeText, --dry-run, logs) shows '********'.
 */
import { invalidArgument } from '../errors';
import { assertRepresentable, ps, PsCode, Secret } from '../powershell/quote';
import type { PsCommand } from './command';

/** A user name and password for New-PSSession -Credential. */
export interface RemoteCredential {
  /** DOMAIN\user, user@domain or COMPUTER\user. */
  userName: string;
  /** Kept in a Secret: never logged, never in JSON or error messages. */
  password: Secret;
}

/** A remote computer and how to reach it. */
export interface RemoteTarget {
  computerName: string;
  credential?: RemoteCredential;
}

export function validateComputerName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw invalidArgument('A computer name is empty.');
  if (trimmed.length > 255) throw invalidArgument('A computer name is longer than 255 characters.');
  return assertRepresentable(trimmed);
}

/** A credential from what a caller gave (plain password or Secret), checked. */
export function remoteCredential(userName: string, password: string | Secret): RemoteCredential {
  const user = userName.trim();
  if (!user) throw invalidArgument('The user name of the credential is empty.');
  if (user.length > 256) throw invalidArgument('The user name of the credential is longer than 256 characters.');
  const secret = password instanceof Secret ? password : new Secret(password);
  if (secret.reveal() === '') throw invalidArgument('The password of the credential is empty.');
  return { userName: user, password: secret };
}

function target(to: string | RemoteTarget): RemoteTarget {
  return typeof to === 'string' ? { computerName: validateComputerName(to) } : { ...to, computerName: validateComputerName(to.computerName) };
}

/** Statements that leave $iisctlSession opened to the computer (creating it if needed). */
function sessionFor(t: RemoteTarget): PsCode {
  const key = t.computerName.toLowerCase();
  const create = t.credential
    ? ps`$iisctlSecure = New-Object System.Security.SecureString
foreach ($iisctlChar in (${t.credential.password}).ToCharArray()) { $iisctlSecure.AppendChar($iisctlChar) }
$iisctlCredential = New-Object System.Management.Automation.PSCredential -ArgumentList ${t.credential.userName}, $iisctlSecure
$iisctlSession = New-PSSession -ComputerName ${t.computerName} -Credential $iisctlCredential -ErrorAction Stop
$iisctlCredential = $null
$iisctlSecure = $null`
    : ps`$iisctlSession = New-PSSession -ComputerName ${t.computerName} -ErrorAction Stop`;
  return ps`if ($null -eq $global:IisctlPSSessions) { $global:IisctlPSSessions = @{} }
$iisctlSession = $global:IisctlPSSessions[${key}]
if ($null -ne $iisctlSession -and $iisctlSession.State -ne 'Opened') {
    Remove-PSSession -Session $iisctlSession -ErrorAction SilentlyContinue
    $global:IisctlPSSessions.Remove(${key})
    $iisctlSession = $null
}
if ($null -eq $iisctlSession) {
${create}
    $global:IisctlPSSessions[${key}] = $iisctlSession
}`;
}

export function onComputer<T>(to: string | RemoteTarget | undefined, command: PsCommand<T>): PsCommand<T> {
  if (to === undefined) return command;
  const t = target(to);
  const block = ps`{
$ErrorActionPreference = 'Stop'
${command.script}
}`;
  const body: PsCode = ps`${sessionFor(t)}
try {
    Invoke-Command -Session $iisctlSession -ErrorAction Stop -ScriptBlock ${block}
} catch {
    if ($iisctlSession.State -eq 'Opened') { throw }
    $global:IisctlPSSessions.Remove(${t.computerName.toLowerCase()})
    Remove-PSSession -Session $iisctlSession -ErrorAction SilentlyContinue
${sessionFor(t)}
    Invoke-Command -Session $iisctlSession -ErrorAction Stop -ScriptBlock ${block}
}`;
  return { purpose: `${command.purpose} on ${t.computerName}`, script: body, parse: command.parse };
}

/** The PSSessions this PowerShell process holds (Get-PSSession), for diagnostics and tests. */
export interface RemoteSessionInfo {
  id: number;
  name: string;
  computerName: string;
  state: string;
  availability: string;
}

export function listRemoteSessions(): PsCommand<RemoteSessionInfo[]> {
  return {
    purpose: 'list PSSessions',
    script: ps`@(Get-PSSession | ForEach-Object { [pscustomobject]@{ id = $_.Id; name = $_.Name; computerName = $_.ComputerName; state = [string]$_.State; availability = [string]$_.Availability } })`,
    parse: (data) => (data === null || data === undefined ? [] : Array.isArray(data) ? (data as RemoteSessionInfo[]) : [data as RemoteSessionInfo]),
  };
}

/** Closes every PSSession the process opened (IisClient.close()). */
export function closeRemoteSessions(): PsCommand<null> {
  return {
    purpose: 'close PSSessions',
    script: ps`if ($null -ne $global:IisctlPSSessions) {
    foreach ($iisctlOld in @($global:IisctlPSSessions.Values)) { Remove-PSSession -Session $iisctlOld -ErrorAction SilentlyContinue }
    $global:IisctlPSSessions = @{}
}
$null`,
    parse: () => null,
  };
}

/**
 * The host's current connections to a site (or all sites: '_Total'): the IIS "Web Service"
 * performance object's "Current Connections" counter, one instance per site plus _Total (technet
 * cc783067, Web Service Object). Read through its WMI performance class,
 * Win32_PerfFormattedData_W3SVC_WebService (property CurrentConnections, instance Name), not
 * Get-Counter: counter paths are localised on a non-English Windows, WMI class and property
 * names are not (Microsoft Learn, "Performance Counter Classes"). No instance for the site is an
 * error, never 0. Used to drain a host before a rolling restart.
 */
export function currentConnections(site = '_Total'): PsCommand<number> {
  if (!site.trim()) throw invalidArgument('A site name is empty.');
  return {
    purpose: `read current connections of ${site}`,
    script: ps`$iisctlPerf = @(Get-CimInstance -ClassName 'Win32_PerfFormattedData_W3SVC_WebService' | Where-Object { [string]$_.Name -eq ${site} })
if ($iisctlPerf.Count -eq 0) { throw ('No Web Service performance data for the site ' + ${site} + ' (is W3SVC running and the site defined?).') }
[int]($iisctlPerf[0].CurrentConnections)`,
    parse: (data) => Number(data ?? 0),
  };
}
