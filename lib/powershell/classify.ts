/**
 * Turns the PowerShell error a script reported into an IisctlError with a stable code.
 * Only facts with a source are used; anything unrecognised is FAILED with the details attached.
 */
import { ErrorCode, IisctlError, PowerShellErrorDetails } from '../errors';

/** HRESULTs as .NET reports them (signed 32-bit). */
const HRESULT = {
  /** "The service cannot accept control messages at this time." (KB 969864; docs/sources.md §1.5) */
  cannotAcceptControl: 0x80070425 | 0,
  /** "The object identifier does not represent a valid object": IIS state read while it changes (docs/sources.md §4.3, §U4). */
  objectNotValid: 0x800710d8 | 0,
  /** E_ACCESSDENIED (-2147024891, learn.microsoft.com VSConstants.E_ACCESSDENIED): Win32 ERROR_ACCESS_DENIED (5). */
  accessDenied: 0x80070005 | 0,
};

/**
 * Win32 error codes as found in Win32Exception.NativeErrorCode (the HRESULTs above are
 * 0x8007xxxx + these). For Stop-Service/Start-Service/ServiceController the Win32 code is only
 * there, in the innermost exception, not in the outer HResult.
 */
const WIN32 = {
  accessDenied: 5,
  cannotAcceptControl: 0x425, // 1061
  objectNotValid: 0x10d8, // 4312
};

export function classifyPowerShellError(error: PowerShellErrorDetails, host?: string): IisctlError {
  // The outer message of a service error only says "cannot be stopped due to ... Cannot stop X";
  // the reason (e.g. "The service cannot accept control messages at this time") is the base one.
  const base = error.baseMessage;
  const message = base && !error.message.includes(base) ? `${error.message} ${base.replace(/\.?$/, '.')}` : error.message;
  const code = codeFor(error);
  return new IisctlError(code, message, { powershell: error, host, hint: hintFor(code, error) });
}

/** What to do about it, for the failures an administrator can fix: a clear next step instead of a raw PowerShell dump. */
function hintFor(code: ErrorCode, error: PowerShellErrorDetails): string | undefined {
  if (code === 'ACCESS_DENIED') {
    // Service control needs an administrator (docs/sources.md §3.1); remoting too (§6).
    return 'Run iisctl from an elevated prompt ("Run as administrator") with an account in the Administrators group of the target computer.';
  }
  if (code === 'UNREACHABLE') {
    // WinRM must listen on the target (docs/sources.md §6: "run ... winrm quickconfig").
    return 'Check the computer name, the network, and that PowerShell remoting (WinRM) is enabled on the target (winrm quickconfig).';
  }
  if (code === 'CREDENTIAL_FILE') {
    // DPAPI: only the user who made the file, on the computer where it was made, can decrypt it
    // (Import-Clixml, Example 2, learn.microsoft.com).
    return 'Make the file again as the account that runs iisctl, on the computer that runs it: Get-Credential | Export-Clixml -Path FILE.';
  }
  if ((error.fullyQualifiedErrorId ?? '').startsWith('Modules_ModuleNotFound')) {
    return "The IIS PowerShell module (WebAdministration) is not installed on the target: install IIS's management scripts and tools.";
  }
  return undefined;
}

function codeFor(error: PowerShellErrorDetails): ErrorCode {
  // The credential file of a remote target (scripts/remote.ts credentialFromFile) re-raises every
  // failure to read it under this error id ("IisctlCredentialFile", with ",<command>" when raised in a function).
  if (/^IisctlCredentialFile(,|$)/.test(error.fullyQualifiedErrorId ?? '')) return 'CREDENTIAL_FILE';
  // Remoting could not reach the computer: PSRemotingTransportException with an FQEID ending in
  // PSSessionStateBroken (WinRMOperationTimeout, ComputerNotFound, CannotConnect, NetworkPathNotFound;
  // docs/sources.md §6). AccessDenied,PSSessionStateBroken is a permission problem, not reachability.
  const fqeid = error.fullyQualifiedErrorId ?? '';
  if (error.type === 'System.Management.Automation.Remoting.PSRemotingTransportException' || /,PSSessionStateBroken$/.test(fqeid)) {
    return /^AccessDenied,/.test(fqeid) ? 'ACCESS_DENIED' : 'UNREACHABLE';
  }
  // The outer exception's HResult, or the innermost one's: a COM error wrapped in another
  // exception (MethodInvocationException around 0x800710D8) keeps its HResult only there.
  const hresults = [error.hresult, error.baseHresult];
  if (hresults.includes(HRESULT.cannotAcceptControl) || hresults.includes(HRESULT.objectNotValid)) return 'TRANSIENT';
  const win32 = error.win32Code;
  if (win32 === WIN32.cannotAcceptControl || win32 === WIN32.objectNotValid) return 'TRANSIENT';
  if (win32 === WIN32.accessDenied) return 'ACCESS_DENIED';
  // UnauthorizedAccessException: e.g. Get-WinEvent's FQEID for an unreadable log (docs/sources.md §5).
  if (hresults.includes(HRESULT.accessDenied) || error.type === 'System.UnauthorizedAccessException' || error.baseType === 'System.UnauthorizedAccessException' || error.category === 'PermissionDenied') {
    return 'ACCESS_DENIED';
  }
  if (error.category === 'ObjectNotFound') return 'NOT_FOUND';
  return 'FAILED';
}
