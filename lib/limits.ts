/**
 * Every numeric option of iisctl with its bounds, declared once. The library checks its options
 * against these rules before anything runs (INVALID_ARGUMENT); the CLI checks its flags against
 * the same rules (exit 2, naming the flag and echoing what was typed). A bound here is the only
 * place it is written.
 */
import { invalidArgument } from './errors';

export interface NumberRule {
  min: number;
  max: number;
  /** Only whole numbers. */
  integer?: boolean;
  /** What the number counts ("seconds", "milliseconds"), for the message. */
  unit?: string;
  /** What the number is, when "a number" says too little ("an HTTP status code"). */
  what?: string;
}

const DAY_SECONDS = 86_400;

export const LIMITS = {
  /** Any operation's time-out (stop, start, restart, pools, sites, heal rungs): up to one day. */
  timeoutSeconds: { min: 0, max: DAY_SECONDS, unit: 'seconds' },
  /** Waiting for the host lock. */
  lockTimeoutSeconds: { min: 0, max: DAY_SECONDS, unit: 'seconds' },
  /** A remote lock lease: renewed every quarter of it, so at least 2 s. */
  leaseSeconds: { min: 2, max: 3600, unit: 'seconds' },
  /** Retries of transient failures (CLI --retries); the library counts attempts = retries + 1. */
  retries: { min: 0, max: 20, integer: true },
  retryAttempts: { min: 1, max: 21, integer: true },
  retryDelayMs: { min: 0, max: 600_000, unit: 'milliseconds' },
  /** Deadline of one PowerShell call (a session's default, or one call's own). */
  callTimeoutMs: { min: 100, max: DAY_SECONDS * 1000, unit: 'milliseconds' },
  /** Calls between the session's history clean-ups. */
  maintenanceEvery: { min: 1, max: 1_000_000, integer: true },
  /** Time between state reads while waiting. */
  pollIntervalMs: { min: 10, max: 60_000, unit: 'milliseconds' },
  /** Hosts worked on at once (CLI --parallel, library concurrency). */
  concurrency: { min: 1, max: 64, integer: true },
  /** Rolling: hosts per batch, failures tolerated, expected HTTP status (RFC 9110, section 15). */
  batch: { min: 1, max: 10_000, integer: true },
  maxFailures: { min: 0, max: 10_000, integer: true },
  expectStatus: { min: 100, max: 599, integer: true, what: 'an HTTP status code' },
  /** Rolling waits (health, drain) and their intervals, in milliseconds (CLI: seconds). */
  waitMs: { min: 0, max: DAY_SECONDS * 1000, unit: 'milliseconds' },
  waitSeconds: { min: 0, max: DAY_SECONDS, unit: 'seconds' },
  intervalMs: { min: 10, max: 60_000, unit: 'milliseconds' },
  /** advise: days of events looked at. */
  adviseDays: { min: 1, max: 365, integer: true },
  /** advise: iisreset count that makes a finding. */
  iisresetThreshold: { min: 1, max: 100_000, integer: true },
  /** recovery enable: delay before each restart (CLI --delay, seconds) and the failure count's reset period (--reset). */
  recoveryDelaySeconds: { min: 0, max: DAY_SECONDS, integer: true },
  recoveryResetSeconds: { min: 0, max: 365 * DAY_SECONDS, integer: true },
  /** events: most records returned. */
  eventsMax: { min: 1, max: 100_000, integer: true },
} as const satisfies Record<string, NumberRule>;

/** "a whole number from 1 to 64", "a number of seconds from 0 to 86400". */
export function describeRule(rule: NumberRule): string {
  return `${rule.what ?? (rule.integer ? 'a whole number' : 'a number')}${rule.unit ? ` of ${rule.unit}` : ''} from ${rule.min} to ${rule.max}`;
}

/** True when value is a number the rule accepts. */
export function fitsRule(value: unknown, rule: NumberRule): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= rule.min && value <= rule.max && (!rule.integer || Number.isInteger(value));
}

/** The message for a refused value: `timeoutSeconds must be a number of seconds from 0 to 86400; got -1.` */
export function ruleMessage(name: string, rule: NumberRule, shown: string): string {
  return `${name} must be ${describeRule(rule)}; got ${shown}.`;
}

/**
 * The library's check of one numeric option: undefined passes (the default applies), anything
 * else must fit the rule, or INVALID_ARGUMENT before anything runs.
 */
export function checkNumber(name: string, value: unknown, rule: NumberRule): void {
  if (value === undefined) return;
  if (!fitsRule(value, rule)) throw invalidArgument(ruleMessage(name, rule, shownValue(value)));
}

/** Checks several numeric options at once: [name, value, rule] each. */
export function checkNumbers(checks: ReadonlyArray<readonly [string, unknown, NumberRule]>): void {
  for (const [name, value, rule] of checks) checkNumber(name, value, rule);
}

function shownValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
