/**
 * Application pool settings, the alternative to restarting IIS: read one pool's recycling, rapid-fail, CPU, idle and
 * start settings; change some of them with every value checked before anything is sent, only the
 * attributes that differ written, and the result read back (before/after) and verified.
 */
import { HINTS } from '../hints';
import { IisctlError } from '../errors';
import { PoolSettings, PoolSettingsChanges, readPoolSettings, SettingName, SETTINGS, validateChanges, validatePoolName, writePoolSettings } from '../scripts/settings';
import type { PlannedStep, WebOperations } from './webOperations';

export interface SettingChange {
  setting: SettingName;
  /** The IIS attribute, e.g. "failure/@rapidFailProtectionMaxCrashes". */
  attribute: string;
  before: unknown;
  after: unknown;
}

export interface PoolConfigureResult {
  host: string;
  pool: string;
  /** False when every requested value already was in place (nothing was written). */
  changed: boolean;
  changes: SettingChange[];
  /** Requested settings that already had the value. */
  unchanged: SettingName[];
  before: PoolSettings;
  /** Read back after the write. */
  after: PoolSettings;
  durationMs: number;
}

export interface PoolConfigurePlan {
  host: string;
  pool: string;
  changes: SettingChange[];
  unchanged: SettingName[];
  before: PoolSettings;
  steps: PlannedStep[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function attributeOf(setting: SettingName): string {
  const s = SETTINGS[setting];
  const attr = setting === 'recycleSchedule' ? 'schedule/add/@value' : `@${s.attribute}`;
  const element = setting === 'recycleSchedule' ? 'recycling/periodicRestart' : s.element;
  return element ? `${element}/${attr}` : attr;
}

function diff(before: PoolSettings, wanted: PoolSettingsChanges): { changes: SettingChange[]; unchanged: SettingName[] } {
  const changes: SettingChange[] = [];
  const unchanged: SettingName[] = [];
  for (const [key, value] of Object.entries(wanted) as Array<[SettingName, unknown]>) {
    if (same(before[key], value)) unchanged.push(key);
    else changes.push({ setting: key, attribute: attributeOf(key), before: before[key], after: value });
  }
  return { changes, unchanged };
}

export class PoolSettingsController {
  constructor(private readonly ops: WebOperations) {}

  /** Every setting of one pool, in one round trip. NOT_FOUND when there is no such pool. */
  async settings(name: string): Promise<PoolSettings> {
    validatePoolName(name);
    const s = await this.ops.run(readPoolSettings(name));
    if (!s) throw this.notFound(name);
    return s;
  }

  /**
   * Changes settings of one pool. Every value is validated before any PowerShell runs
   * (INVALID_ARGUMENT); then: read, write only what differs (one round trip), read back and
   * verify each written value (FAILED when the host shows another value).
   */
  async configure(name: string, changes: PoolSettingsChanges): Promise<PoolConfigureResult> {
    validatePoolName(name);
    const wanted = validateChanges(changes);
    return this.ops.changing('apppool-configure', `pool=${name}`, () => this.apply(name, wanted));
  }

  private async apply(name: string, wanted: ReturnType<typeof validateChanges>): Promise<PoolConfigureResult> {
    const started = this.ops.clock.now();
    const before = await this.settings(name);
    const { changes: todo, unchanged } = diff(before, wanted);
    if (todo.length === 0) return { host: this.ops.host, pool: before.name, changed: false, changes: [], unchanged, before, after: before, durationMs: this.ops.clock.now() - started };
    await this.ops.run(writePoolSettings(before.name, Object.fromEntries(todo.map((c) => [c.setting, c.after]))));
    const after = await this.settings(before.name);
    const wrong = todo.filter((c) => !same(after[c.setting], c.after));
    if (wrong.length) {
      throw new IisctlError('FAILED', `Application pool ${before.name} on ${this.ops.host} does not show the new value of ${wrong.map((c) => `${c.setting} (wanted ${JSON.stringify(c.after)}, read back ${JSON.stringify(after[c.setting])})`).join(', ')}.`, {
        host: this.ops.host,
        details: { before, after, changes: todo },
      });
    }
    return { host: this.ops.host, pool: before.name, changed: true, changes: todo.map((c) => ({ ...c, after: after[c.setting] })), unchanged, before, after, durationMs: this.ops.clock.now() - started };
  }

  /** What configure would change now, with the exact script; changes nothing. */
  async plan(name: string, changes: PoolSettingsChanges): Promise<PoolConfigurePlan> {
    validatePoolName(name);
    const wanted = validateChanges(changes);
    const before = await this.settings(name);
    const { changes: todo, unchanged } = diff(before, wanted);
    const steps: PlannedStep[] = [this.ops.planStep('read the current settings', readPoolSettings(before.name), [before.name])];
    if (todo.length) {
      steps.push(this.ops.planStep(`set ${todo.map((c) => c.attribute).join(', ')}`, writePoolSettings(before.name, Object.fromEntries(todo.map((c) => [c.setting, c.after]))), [before.name]));
      steps.push(this.ops.planStep('read back and verify', readPoolSettings(before.name), [before.name]));
    }
    return { host: this.ops.host, pool: before.name, changes: todo, unchanged, before, steps };
  }

  private notFound(name: string): IisctlError {
    return new IisctlError('NOT_FOUND', `There is no application pool named ${JSON.stringify(name)} on ${this.ops.host}.`, { host: this.ops.host, hint: HINTS.listPools });
  }
}
