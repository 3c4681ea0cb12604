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
 * The body runs inside the script block in its own envelope (remoteBlock) whose answer is one object
 * holding JSON; errors of the session itself (transport, broken session) are the local envelope's,
 * through -ErrorAction Stop on Invoke-Command. New-PSSession failures keep their
 * PSRemotingTransportException and FullyQualifiedErrorId (WinRMOperationTimeout,PSSessionOpenFailed;
 * AccessDenied,PSSessionOpenFailed), which classify.ts maps to UNREACHABLE / ACCESS_DENIED.
 *
 * Credentials: no secret is ever in a script's text (script block logging records the text). The
 * password travels in the environment of the local PowerShell process, set at spawn (PASSWORD_ENV,
 * remoteSecretEnv); the first remote call builds a PSCredential from it (SecureString.AppendChar
 * per character: ConvertTo-SecureString is not in the 5.1 catalog the simulator binds against),
 * keeps it in $global:IisctlCredential for the life of the process and deletes the variable.
 * Or, for scheduled tasks, a credential file (credentialFile): made once with
 * `Get-Credential | Export-Clixml -Path FILE` by the account that runs iisctl, on the computer that
 * runs it, and read back once with Import-Clixml into the same global. Export-Clixml "encrypts
 * credential objects by using the Windows Data Protection API ... only your user account can
 * decrypt the contents of the credential object. The exported CLIXML file can't be used on a
 * different computer or by a different user" (Import-Clixml, Example 2:
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/import-clixml?view=powershell-5.1).
 * Only the path is in the script text.
 */
import { IisctlError, invalidArgument } from '../errors';
import { classifyPowerShellError } from '../powershell/classify';
import { decodeResult, resultScript } from '../powershell/envelope';
import { asArray, parsePsJsonValue } from '../powershell/json';
import { assertRepresentable, ps, PsCode, Secret } from '../powershell/quote';
import type { PsCommand } from './command';
import { brand, Checked } from '../parse';

/** A user name and password for New-PSSession -Credential. */
export interface RemoteCredential {
  /** DOMAIN\user, user@domain or COMPUTER\user. */
  userName: string;
  /** Kept in a Secret: never logged, never in JSON or error messages. */
  password: Secret;
}

/** A computer name as parseComputerName returns it: trimmed, not empty, at most 255 characters, representable in a script. */
export type ComputerName = Checked<string, 'ComputerName'>;

/** How a remote computer is reached, checked by parseRemoteAuth: a credential, a credential file, or neither (the caller's identity). */
export type RemoteAuth = Checked<{ readonly credential?: RemoteCredential; readonly credentialFile?: string }, 'RemoteAuth'>;

/** A remote computer and how to reach it (remoteTarget makes one from checked parts). */
export interface RemoteTarget {
  readonly computerName: ComputerName;
  readonly auth: RemoteAuth;
}

export function parseComputerName(name: string): ComputerName {
  if (typeof name !== 'string') throw invalidArgument('A computer name is not a string.');
  const trimmed = name.trim();
  if (!trimmed) throw invalidArgument('A computer name is empty.');
  if (trimmed.length > 255) throw invalidArgument('A computer name is longer than 255 characters.');
  return brand(assertRepresentable(trimmed), 'ComputerName');
}

/** What a caller gives to reach a remote computer (ConnectOptions.credential / credentialFile). */
export interface RemoteAuthInput {
  credential?: { userName: string; password: string | Secret };
  /** A file made with `Get-Credential | Export-Clixml -Path FILE` (DPAPI-protected), read with Import-Clixml. */
  credentialFile?: string;
}

/**
 * The credential (user name and password, plain or a Secret) or the credential file, checked; both
 * is INVALID_ARGUMENT. The credential file's path is not resolved: the local PowerShell process,
 * started in the caller's working directory, resolves a relative path.
 */
export function parseRemoteAuth(given: RemoteAuthInput): RemoteAuth {
  const credential = given.credential === undefined ? undefined : parseCredential(given.credential.userName, given.credential.password);
  if (credential && given.credentialFile !== undefined) throw invalidArgument(CREDENTIAL_EXCLUSIVE);
  const credentialFile = given.credentialFile === undefined ? undefined : parseCredentialFile(given.credentialFile);
  return brand({ ...(credential ? { credential } : {}), ...(credentialFile === undefined ? {} : { credentialFile }) }, 'RemoteAuth');
}

/** A remote computer and how to reach it, from what a caller gave: both parsed. */
export function parseRemoteTarget(computerName: string, auth: RemoteAuthInput = {}): RemoteTarget {
  return remoteTarget(parseComputerName(computerName), parseRemoteAuth(auth));
}

/** A remote computer with how to reach it (default: the caller's own identity); both parts are checked already. */
export function remoteTarget(computerName: ComputerName, auth: RemoteAuth = parseRemoteAuth({})): RemoteTarget {
  return { computerName, auth };
}

function parseCredential(userName: string, password: string | Secret): RemoteCredential {
  const user = typeof userName === 'string' ? userName.trim() : '';
  if (!user) throw invalidArgument('The user name of the credential is empty.');
  if (user.length > 256) throw invalidArgument('The user name of the credential is longer than 256 characters.');
  const secret = password instanceof Secret ? password : new Secret(password);
  if (secret.reveal() === '') throw invalidArgument('The password of the credential is empty.');
  // It travels in the PowerShell process's environment, and an environment variable cannot hold NUL.
  if (secret.reveal().includes('\0')) throw invalidArgument('The password of the credential contains a NUL character, which the environment it travels in cannot carry.');
  return { userName: user, password: secret };
}

function parseCredentialFile(path: string): string {
  if (typeof path !== 'string') throw invalidArgument('The path of the credential file is not a string.');
  if (!path.trim()) throw invalidArgument('The path of the credential file is empty.');
  if (path.length > 32_767) throw invalidArgument('The path of the credential file is longer than 32 767 characters.');
  return assertRepresentable(path);
}

/** The message when both ways of giving a credential are used. */
export const CREDENTIAL_EXCLUSIVE = 'Give either a credential (user name and password) or a credential file, not both.';

/**
 * The FullyQualifiedErrorId of a credential file that could not be used (missing, unreadable, not
 * decryptable by this user on this computer, or not holding one PSCredential): classify.ts maps
 * it to CREDENTIAL_FILE.
 */
export const CREDENTIAL_FILE_ERROR_ID = 'IisctlCredentialFile';

/**
 * The environment variable that carries the password of the credential into the local
 * PowerShell process, set when the process is spawned (never in a script's text): the first
 * remote call reads it once into a PSCredential kept in $global:IisctlCredential and removes it
 * from the process environment ([Environment]::SetEnvironmentVariable with a null value deletes
 * it: https://learn.microsoft.com/dotnet/api/system.environment.setenvironmentvariable). The CLI
 * reads the password from the same variable.
 */
export const PASSWORD_ENV = 'IISCTL_PASSWORD';

/** The spawn environment the PowerShell process needs for a target (the password of its credential). */
export function remoteSecretEnv(t: RemoteTarget | undefined): Record<string, string> {
  return t?.auth.credential ? { [PASSWORD_ENV]: t.auth.credential.password.reveal() } : {};
}

/** Statements that leave $global:IisctlCredential set, from the spawn environment (see PASSWORD_ENV). */
function credentialFor(c: RemoteCredential): PsCode {
  const missing = `The password for ${c.userName} was not passed to PowerShell: ${PASSWORD_ENV} is not set in its environment.`;
  return ps`if ($null -eq $global:IisctlCredential) {
    $iisctlSecret = [Environment]::GetEnvironmentVariable(${PASSWORD_ENV})
    if ([string]::IsNullOrEmpty($iisctlSecret)) { throw ${missing} }
    $iisctlSecure = New-Object System.Security.SecureString
    foreach ($iisctlChar in $iisctlSecret.ToCharArray()) { $iisctlSecure.AppendChar($iisctlChar) }
    $iisctlSecret = $null
    [Environment]::SetEnvironmentVariable(${PASSWORD_ENV}, $null)
    $global:IisctlCredential = New-Object System.Management.Automation.PSCredential -ArgumentList ${c.userName}, $iisctlSecure
    $iisctlSecure = $null
}`;
}

/**
 * Statements that leave $global:IisctlCredential set from a credential file (see RemoteTarget
 * credentialFile). Import-Clixml fails on a missing file (FileNotFoundException), on text that is
 * not CLIXML (XmlException) and on a password another user or computer protected
 * (CryptographicException "Key not valid for use in specified state.", thrown by
 * ProtectedData.Unprotect under InternalDeserializer.ReadSecureString: the stack quoted in
 * https://github.com/microsoft/CSS-Exchange/issues/2322); a file of another object imports without error, hence the
 * type check. Every such failure is re-raised with one error id (CREDENTIAL_FILE_ERROR_ID).
 */
function credentialFromFile(path: string): PsCode {
  const unreadable = `The credential file ${path} could not be read into a credential: `;
  const notOne = `The credential file ${path} does not hold one PSCredential (make it with: Get-Credential | Export-Clixml -Path FILE).`;
  return ps`if ($null -eq $global:IisctlCredential) {
    try {
        $iisctlImported = @(Import-Clixml -LiteralPath ${path})
    } catch {
        Write-Error -Message (${unreadable} + $_.Exception.Message) -ErrorId ${CREDENTIAL_FILE_ERROR_ID} -Category ReadError -ErrorAction Stop
    }
    if ($iisctlImported.Count -ne 1 -or $iisctlImported[0] -isnot [System.Management.Automation.PSCredential]) {
        Write-Error -Message ${notOne} -ErrorId ${CREDENTIAL_FILE_ERROR_ID} -Category InvalidData -ErrorAction Stop
    }
    $global:IisctlCredential = $iisctlImported[0]
    $iisctlImported = $null
}`;
}

/** Statements that leave $iisctlSession opened to the computer (creating it if needed). */
function sessionFor(t: RemoteTarget): PsCode {
  const key = t.computerName.toLowerCase();
  const { credential: given, credentialFile } = t.auth;
  const credential = given ? credentialFor(given) : credentialFile !== undefined ? credentialFromFile(credentialFile) : undefined;
  const create = credential
    ? ps`${credential}
$iisctlSession = New-PSSession -ComputerName ${t.computerName} -Credential $global:IisctlCredential -ErrorAction Stop`
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

/**
 * The script block run on the remote computer: the body inside the same try/catch and JSON
 * as the local envelope (envelope.ts resultScript), returning ONE object whose only property is
 * that JSON text. So nothing of the result depends on remoting's serialization (depth 1: nested
 * objects become method-less Deserialized.* property bags or strings; notes PSComputerName,
 * RunspaceId and PSShowComputerName on every object, primitives included; about_Remote_Output,
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_remote_output),
 * and an error is described from the live exception on the remote side: a remote error that
 * reaches this computer is a RemoteException whose HResult and Win32 code survive only in
 * SerializedRemoteException
 * (https://learn.microsoft.com/dotnet/api/system.management.automation.remoteexception), so
 * without this a remote "cannot accept control messages" or "access denied" loses its class.
 */
function remoteBlock(body: PsCode): PsCode {
  const finish = '[pscustomobject]@{ iisctlRemote = $iisctlJson }';
  return new PsCode(`{\n${resultScript(body.text, finish)}\n}`, body.redacted === undefined ? undefined : `{\n${resultScript(body.redacted, finish)}\n}`);
}

/** The remote block's answer, as the local envelope delivers it: the result of the body, or its error thrown. */
function remoteResult(data: unknown, computerName: string): unknown {
  const replies = asArray<Record<string, unknown>>(data);
  const text = replies.length === 1 && replies[0] && typeof replies[0] === 'object' ? replies[0].iisctlRemote : undefined;
  if (typeof text !== 'string') {
    throw new IisctlError('FAILED', `${computerName} returned ${replies.length} objects instead of one iisctl result.`, { host: computerName, details: { replies: replies.length } });
  }
  const result = decodeResult(parsePsJsonValue(text));
  if (!result.ok) throw classifyPowerShellError(result.error!, computerName);
  return result.data;
}

/** The command run on the remote computer (the target is checked: nothing is checked here); undefined: as it is, on the session's own host. */
export function onComputer<T>(t: RemoteTarget | undefined, command: PsCommand<T>): PsCommand<T> {
  if (t === undefined) return command;
  const block = remoteBlock(command.script);
  // The session code and the block appear once: a second pass of the loop is the one retry
  // after the session broke under the call.
  const body: PsCode = ps`$iisctlRetried = $false
while ($true) {
${sessionFor(t)}
    try {
        Invoke-Command -Session $iisctlSession -ErrorAction Stop -ScriptBlock ${block}
        break
    } catch {
        if ($iisctlRetried -or $iisctlSession.State -eq 'Opened') { throw }
        $iisctlRetried = $true
    }
}`;
  // A wait on the host may run twice here (the retry): its call may take both waits.
  const waitsMs = command.waitsMs === undefined ? undefined : command.waitsMs * 2;
  return { purpose: `${command.purpose} on ${t.computerName}`, script: body, parse: (data) => command.parse(remoteResult(data, t.computerName)), waitsMs };
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
    // An object, not a bare number: a primitive returned through remoting carries notes.
    script: ps`$iisctlPerf = @(Get-CimInstance -ClassName 'Win32_PerfFormattedData_W3SVC_WebService' | Where-Object { [string]$_.Name -eq ${site} })
if ($iisctlPerf.Count -eq 0) { throw ('No Web Service performance data for the site ' + ${site} + ' (is W3SVC running and the site defined?).') }
[pscustomobject]@{ connections = [int]($iisctlPerf[0].CurrentConnections) }`,
    parse: (data) => {
      const value = data && typeof data === 'object' && !Array.isArray(data) ? (data as { connections?: unknown }).connections : undefined;
      // A count that is not a whole number is never "drained" (0): it is an error.
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw new IisctlError('FAILED', `The current connections of ${site} could not be read: PowerShell returned ${JSON.stringify(data)}.`, { details: { site, data } });
      }
      return value;
    },
  };
}
