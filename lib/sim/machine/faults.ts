/**
 * Typed faults thrown by the simulated machine. The cmdlet layer maps them to
 * PowerShell error records, so each carries the Win32 code, HRESULT, the target's
 * names and the computer.
 */

export type SimFaultKind =
  | 'AccessDenied'
  | 'CannotAcceptControl'
  | 'DependentServices'
  | 'Disabled'
  | 'NotFound'
  | 'NotActive'
  | 'AlreadyRunning'
  | 'DependencyFailed'
  | 'StartFailed'
  | 'Unreachable'
  | 'SourceExists'
  | 'SourceNotFound'
  | 'LogNotFound'
  | 'InvalidArgument';

export type SimTargetType =
  | 'service'
  | 'appPool'
  | 'site'
  | 'process'
  | 'computer'
  | 'registry'
  | 'eventLog'
  | 'eventSource';

export interface SimTarget {
  type: SimTargetType;
  name: string;
  displayName?: string;
}

/**
 * Win32 errors used by the simulation, with their system message text.
 * Sources: 5 and 1061 — docs/sources.md §1.5, §3.1; 1058 — winerror (docs.rs finestre-sys
 * ERROR_SERVICE_DISABLED); 1060 — real `sc` output ("The specified service does not exist
 * as an installed service."); 1062 — docs/sources.md §4.3 (0x80070426 "The service has not been
 * started."); 1068 — commonly quoted "Error 1068: The dependency service or group failed
 * to start"; 87 — docs/sources.md §2.3 ("The parameter is incorrect.").
 * 1051 and 1056 texts are assumed (codes sourced: ERROR_DEPENDENT_SERVICES_RUNNING = 1051
 * [Win32 docs "Stopping a Service"], ERROR_SERVICE_ALREADY_RUNNING = 0x420).
 */
export const Win32Errors = {
  ACCESS_DENIED: { code: 5, message: 'Access is denied.' },
  INVALID_PARAMETER: { code: 87, message: 'The parameter is incorrect.' },
  DEPENDENT_SERVICES_RUNNING: {
    code: 1051,
    message: 'A stop control has been sent to a service that other running services are dependent on.',
  },
  SERVICE_ALREADY_RUNNING: { code: 1056, message: 'An instance of the service is already running.' },
  SERVICE_DISABLED: {
    code: 1058,
    message:
      'The service cannot be started, either because it is disabled or because it has no enabled devices associated with it.',
  },
  SERVICE_DOES_NOT_EXIST: { code: 1060, message: 'The specified service does not exist as an installed service.' },
  SERVICE_CANNOT_ACCEPT_CTRL: { code: 1061, message: 'The service cannot accept control messages at this time.' },
  SERVICE_NOT_ACTIVE: { code: 1062, message: 'The service has not been started.' },
  SERVICE_DEPENDENCY_FAIL: { code: 1068, message: 'The dependency service or group failed to start.' },
  /** 4309 / 0x800710D5 (docs/sources.md §1.3); text: winerror via docs.rs finestre-sys ERROR_RESOURCE_DISABLED and briandunning.com/errors/1524. */
  RESOURCE_DISABLED: { code: 4309, message: 'A resource required for this operation is disabled.' },
} as const;

/** HRESULT_FROM_WIN32: 0x8007xxxx (e.g. 1061 → 0x80070425, docs/sources.md §1.5), as an unsigned number. */
export function hresultFromWin32(code: number): number {
  return (0x80070000 | (code & 0xffff)) >>> 0;
}

/** "0x80070425" */
export function formatHresult(hr: number): string {
  return '0x' + (hr >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

export interface SimFaultInit {
  kind: SimFaultKind;
  message: string;
  computer: string;
  target?: SimTarget;
  win32Code?: number;
  hresult?: number;
  /** Services that blocked a stop (DependentServices) or failed first (DependencyFailed). */
  related?: SimTarget[];
  /** Why a computer is unreachable: 'unknown-host' | 'unreachable' | 'rebooting'. */
  reason?: string;
}

export class SimFault extends Error {
  readonly kind: SimFaultKind;
  readonly computer: string;
  readonly target?: SimTarget;
  readonly win32Code?: number;
  readonly hresult?: number;
  readonly related?: SimTarget[];
  readonly reason?: string;

  constructor(init: SimFaultInit) {
    super(init.message);
    this.name = 'SimFault';
    this.kind = init.kind;
    this.computer = init.computer;
    this.target = init.target;
    this.win32Code = init.win32Code;
    this.hresult = init.hresult ?? (init.win32Code !== undefined ? hresultFromWin32(init.win32Code) : undefined);
    this.related = init.related;
    this.reason = init.reason;
  }

  /** Builds a fault from one of the Win32Errors entries. */
  static win32(
    kind: SimFaultKind,
    err: { code: number; message: string },
    computer: string,
    target?: SimTarget,
    extra: Partial<SimFaultInit> = {},
  ): SimFault {
    return new SimFault({ kind, message: err.message, win32Code: err.code, computer, target, ...extra });
  }
}

export function isSimFault(e: unknown): e is SimFault {
  return e instanceof SimFault;
}
