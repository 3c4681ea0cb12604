/**
 * Automatic Restart of the IIS services (docs/sources.md §7.1): show, enable, disable the SCM recovery actions
 * of IISADMIN, WAS and W3SVC, each change verified by reading `sc.exe qfailure` back.
 */
import { IisctlError } from '../errors';
import { checkRecoveryServices, DEFAULT_RECOVERY, readRecovery, RECOVERY_SERVICES, ServiceRecoveryInfo, writeRecovery } from '../scripts/recovery';
import type { PlannedStep, WebOperations } from './webOperations';

export interface RecoveryOptions {
  /** Delay before each restart, ms. Default: DEFAULTS.recoveryDelayMs (lib/defaults.ts). */
  delayMs?: number;
  /** Seconds without failure after which the failure count resets. Default: DEFAULTS.recoveryResetSeconds. */
  resetSeconds?: number;
}

export interface RecoveryChangeResult {
  host: string;
  action: 'enable' | 'disable';
  services: Array<{ service: string; changed: boolean; before: ServiceRecoveryInfo; after: ServiceRecoveryInfo }>;
}

type RecoverySetting = { resetSeconds: number; actions: Array<{ type: 'restart'; delayMs: number }> };

export class RecoveryController {
  constructor(private readonly ops: WebOperations) {}

  /** Recovery actions of the IIS services (all three by default); missing services are reported, not errors. */
  show(services: readonly string[] = RECOVERY_SERVICES): Promise<ServiceRecoveryInfo[]> {
    return this.ops.run(readRecovery(checkRecoveryServices(services)));
  }

  /** Restart after the first, second and subsequent failures. */
  async enable(services: readonly string[] = RECOVERY_SERVICES, options: RecoveryOptions = {}): Promise<RecoveryChangeResult> {
    const delayMs = options.delayMs ?? DEFAULT_RECOVERY.delayMs;
    const resetSeconds = options.resetSeconds ?? DEFAULT_RECOVERY.resetSeconds;
    const setting = { resetSeconds, actions: Array.from({ length: DEFAULT_RECOVERY.failures }, () => ({ type: 'restart' as const, delayMs })) };
    writeRecovery('W3SVC', setting); // validates the values before anything runs
    return this.change('enable', services, setting);
  }

  /** No recovery action (the service stays stopped after a crash). */
  async disable(services: readonly string[] = RECOVERY_SERVICES): Promise<RecoveryChangeResult> {
    return this.change('disable', services, { resetSeconds: 0, actions: [] });
  }

  async plan(action: 'enable' | 'disable', services: readonly string[] = RECOVERY_SERVICES, options: RecoveryOptions = {}): Promise<PlannedStep[]> {
    const names = checkRecoveryServices(services);
    const setting = action === 'enable' ? { resetSeconds: options.resetSeconds ?? DEFAULT_RECOVERY.resetSeconds, actions: Array.from({ length: DEFAULT_RECOVERY.failures }, () => ({ type: 'restart' as const, delayMs: options.delayMs ?? DEFAULT_RECOVERY.delayMs })) } : { resetSeconds: 0, actions: [] };
    return [this.ops.planStep('read the recovery actions', readRecovery(names), names), ...names.map((n) => this.ops.planStep(`${action} Automatic Restart of ${n}`, writeRecovery(n, setting), [n])), this.ops.planStep('read back and verify', readRecovery(names), names)];
  }

  private change(action: 'enable' | 'disable', services: readonly string[], setting: RecoverySetting): Promise<RecoveryChangeResult> {
    const names = checkRecoveryServices(services);
    return this.ops.changing(`recovery-${action}`, `services=${names.join(',')}`, () => this.apply(action, names, setting));
  }

  private async apply(action: 'enable' | 'disable', names: string[], setting: RecoverySetting): Promise<RecoveryChangeResult> {
    const before = await this.show(names);
    const wanted = (r: ServiceRecoveryInfo) => r.resetSeconds === setting.resetSeconds && JSON.stringify(r.actions) === JSON.stringify(setting.actions);
    const present = before.filter((b) => b.exists);
    if (present.length === 0) throw new IisctlError('NOT_FOUND', `None of ${names.join(', ')} is installed on ${this.ops.host}.`, { host: this.ops.host });
    for (const b of present.filter((x) => !wanted(x))) {
      const r = await this.ops.run(writeRecovery(b.service, setting));
      if (r.exitCode !== 0) {
        const code = r.exitCode === 5 ? 'ACCESS_DENIED' : r.exitCode === 1060 ? 'NOT_FOUND' : 'FAILED';
        throw new IisctlError(code, `sc.exe failure ${b.service} failed on ${this.ops.host} (exit ${r.exitCode}): ${r.output.replace(/\s+/g, ' ').trim()}`, { host: this.ops.host, hint: code === 'ACCESS_DENIED' ? 'Run from an elevated (administrator) session.' : undefined });
      }
    }
    const after = await this.show(names);
    const wrong = after.filter((a) => a.exists && !wanted(a));
    if (wrong.length) throw new IisctlError('FAILED', `The recovery actions of ${wrong.map((w) => w.service).join(', ')} on ${this.ops.host} do not read back as set.`, { host: this.ops.host, details: { after } });
    return {
      host: this.ops.host,
      action,
      services: before.filter((b) => b.exists).map((b) => ({ service: b.service, changed: !wanted(b), before: b, after: after.find((a) => a.service === b.service)! })),
    };
  }
}
