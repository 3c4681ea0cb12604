/**
 * Every default of iisctl, declared once, each with why it is what it is and where that comes
 * from. The library, the CLI's validation and its help text read these; the README's "Defaults"
 * table is this table (__tests__/unit/defaults.test.ts checks both, and that no other file in lib/
 * writes one of these numbers). The bounds of each option are in lib/limits.ts.
 */

export interface DefaultSpec {
  value: number;
  /** What the value counts: 's', 'ms', or '' for a plain count. */
  unit: 's' | 'ms' | '';
  /** Why this value (one line). */
  why: string;
  /** Where it comes from: a public source, or "iisctl's choice" and what it rests on. */
  source: string;
}

const IISRESET_DEFAULTS =
  'iisreset /? ("The default value is 20s for restart, 60s for stop"; docs/sources.md §1.2) and the IIS "Timeouts Reference", https://learn.microsoft.com/previous-versions/iis/iis-5.0/cc338142(v=msdn.10) (IIS Restart Timeouts: Stop 60, Restart 20)';
const WEB_TIMEOUT_SECONDS = 30;

export const DEFAULT_SPECS = {
  // IIS as a whole (stop, start, restart; iisreset's switches)
  stopTimeoutSeconds: { value: 60, unit: 's', why: 'how long a stop waits for the services before it times out (or, with force, kills)', source: IISRESET_DEFAULTS },
  restartStopTimeoutSeconds: { value: 20, unit: 's', why: "the stop phase of a restart: iisreset's shorter restart timeout", source: IISRESET_DEFAULTS },
  startTimeoutSeconds: { value: 60, unit: 's', why: "a start, and a restart's start phase: iisreset's /TIMEOUT bounds only the stop, so the start gets the stop's minute", source: "iisctl's choice, after iisreset's stop default (docs/sources.md §1.2); Start-Service itself waits without an overall timeout (docs/sources.md §3.2)" },
  killSettleMs: { value: 10_000, unit: 'ms', why: 'after a forced kill, how long the SCM gets to report the killed services Stopped', source: "iisctl's choice: every wait needs a deadline (docs/sources.md §U6)" },
  // Pools, sites, heal
  webTimeoutSeconds: { value: WEB_TIMEOUT_SECONDS, unit: 's', why: 'a pool or site action waits this long for the state read back', source: "iisctl's choice: Start-/Stop-WebAppPool return before the state changes (docs/sources.md §U1), so iisctl polls, with a deadline (§U6)" },
  healRungTimeoutSeconds: { value: WEB_TIMEOUT_SECONDS, unit: 's', why: "each heal rung's budget, all its steps included (restart-iis: half for the stop, the rest for the start): a rung is one pool or site action, so it gets theirs", source: "iisctl's choice (as webTimeoutSeconds)" },
  // Waiting, retrying, the session
  pollIntervalMs: { value: 100, unit: 'ms', why: 'time between state reads on the host while a wait runs there (Start-Sleep in the wait script): a read there costs no round trip', source: "iisctl's choice: a state change is seen within a tenth of a second; the read is the awaited services' Get-Service status or the named pools' or sites' state only (README, Benchmarks)" },
  waitSliceMs: { value: 1000, unit: 'ms', why: 'one wait call on the host: it returns once the awaited state is read or this long has passed, so that progress, Ctrl-C and the deadline are seen from Node between slices (at most one slice late)', source: "iisctl's choice: half of Stop-Service's own 2-second wait slice (docs/sources.md §3.2), so that Ctrl-C is seen within a second; the last slice is cut to the deadline" },
  callTimeoutMs: { value: 60_000, unit: 'ms', why: "one PowerShell call's deadline, after which the process is killed (SESSION_TIMEOUT); a lock wait or a wait slice on the host gets it on top of its wait", source: "iisctl's choice: every wait needs a deadline (docs/sources.md §U6); a stuck call can only be ended by ending the process (§P1.5)" },
  maintenanceEvery: { value: 200, unit: '', why: "calls between clean-ups of the host's command history and $Error", source: "iisctl's choice: keeps the session's memory flat (README, Soak)" },
  retryAttempts: { value: 3, unit: '', why: 'attempts of a transiently failing call, the first included (CLI --retries counts the retries: one less)', source: 'transient errors succeed on retry (docs/sources.md §U3, §U4)' },
  retryBaseDelayMs: { value: 500, unit: 'ms', why: 'delay before the first retry, doubled for each next one, with jitter', source: '"a retry after a short wait succeeds" (docs/sources.md §U4)' },
  retryMaxDelayMs: { value: 5000, unit: 'ms', why: 'the longest delay between two retries', source: "iisctl's choice" },
  stderrDrainMs: { value: 1000, unit: 'ms', why: 'a process that died: how long to wait for the rest of its stderr, which the error quotes', source: "iisctl's choice" },
  eventsWindowSlackMs: { value: 1000, unit: 'ms', why: "an operation's events are read from this long before it started: a margin for the host's clock against this machine's", source: "iisctl's choice (README, Known limits: the window is read by this machine's clock)" },
  processKillWaitMs: { value: 5000, unit: 'ms', why: 'how long an ended PowerShell process gets to exit before it is killed harder', source: "iisctl's choice" },
  closeRemoteSessionsMs: { value: 15_000, unit: 'ms', why: "close(): the deadline of removing the remote PSSessions (a host that does not answer must not hold close() up)", source: "iisctl's choice" },
  // The host lock
  lockTimeoutSeconds: { value: 300, unit: 's', why: 'how long to wait for another iisctl holding the host lock before LOCKED', source: "iisctl's choice: longer than a default stop plus start (2 x 60 s) with room for a heal" },
  leaseSeconds: { value: 120, unit: 's', why: 'a remote lock lease: how long it outlives an iisctl that stopped renewing it (renewed every quarter)', source: "iisctl's choice: a dead remote holder blocks others this long at most (README, Known limits)" },
  lockSliceMs: { value: 2000, unit: 'ms', why: 'one blocking wait for the lock on the host, so that Ctrl-C and the deadline are seen between slices', source: "iisctl's choice, as Stop-Service waits in 2-second slices (docs/sources.md §3.2)" },
  leaseMutexWaitMs: { value: 5000, unit: 'ms', why: "renewing or releasing a lease: the wait for the mutex that guards the lock record (held only within one call)", source: "iisctl's choice" },
  // The CLI process
  logFlushMs: { value: 2000, unit: 'ms', why: 'at exit, the longest wait for the --log-file to have every line (winston writes asynchronously)', source: "iisctl's choice" },
  exitGuardMs: { value: 3000, unit: 'ms', why: 'after the result, the exit forced should a stray handle keep Node alive', source: "iisctl's choice" },
  // Many hosts, rolling
  concurrency: { value: 8, unit: '', why: 'hosts worked on at once (connectMany, CLI --parallel)', source: "iisctl's choice: each host has its own PowerShell process on this machine" },
  hostDownConcurrency: { value: 1, unit: '', why: 'CLI stop, restart and heal on several hosts without --parallel: one after another, so a farm is never down at once', source: "iisctl's choice" },
  rollingBatch: { value: 1, unit: '', why: 'hosts per rolling batch', source: "iisctl's choice: the rest of the farm serves while one host is worked on" },
  rollingMaxFailures: { value: 0, unit: '', why: 'failed hosts a rolling run tolerates before it stops', source: "iisctl's choice: a failure stops the run before it spreads" },
  expectStatus: { value: 200, unit: '', why: 'the HTTP status a healthy host answers', source: 'RFC 9110, section 15.3.1 (200 OK)' },
  healthTimeoutMs: { value: 60_000, unit: 'ms', why: 'how long a host may take to answer its health URL after the action', source: "iisctl's choice: as long as a default IIS start" },
  healthIntervalMs: { value: 500, unit: 'ms', why: 'time between health probes', source: "iisctl's choice" },
  healthProbeTimeoutMs: { value: 5000, unit: 'ms', why: "one health probe's deadline (at most the health timeout)", source: "iisctl's choice" },
  healthProbeMinMs: { value: 1000, unit: 'ms', why: "the shortest deadline of one health probe, however short the health timeout", source: "iisctl's choice" },
  drainMs: { value: 0, unit: 'ms', why: 'longest wait for current connections to reach 0 before acting; 0 = no drain', source: "iisctl's choice: draining needs a load balancer that stops sending requests" },
  drainIntervalMs: { value: 500, unit: 'ms', why: 'time between connection counter reads while draining', source: "iisctl's choice" },
  // Automatic Restart, advise, events
  recoveryDelayMs: { value: 60_000, unit: 'ms', why: 'recovery enable: delay before each automatic restart', source: "iisctl's choice: IIS 7+ recovery defaults are not documented (docs/sources.md §7.1)" },
  recoveryResetSeconds: { value: 86_400, unit: 's', why: 'recovery enable: a day without failure resets the failure count', source: "iisctl's choice ([MS-SCMR] 2.2.40 dwResetPeriod, docs/sources.md §3.7)" },
  recoveryFailures: { value: 3, unit: '', why: 'recovery enable: restart after the 1st, 2nd and later failures', source: "iisctl's choice ([MS-SCMR] 2.2.40: the last action repeats, docs/sources.md §3.7)" },
  adviseDays: { value: 7, unit: '', why: 'days of events advise looks at', source: "iisctl's choice: a week holds a weekly pattern" },
  iisresetThreshold: { value: 3, unit: '', why: 'iisreset runs in the window that make an advise finding', source: "iisctl's choice" },
  adviseShutdownTimeLimitSeconds: { value: 180, unit: 's', why: 'the shutdownTimeLimit advise proposes: twice IIS\'s default of 90 s', source: 'processModel/@shutdownTimeLimit default 00:01:30 (docs/sources.md §7.4)' },
  eventsMax: { value: 100, unit: '', why: 'most events returned, newest first', source: "iisctl's choice" },
  eventsSinceHours: { value: 24, unit: '', why: 'CLI events: how far back without --since', source: "iisctl's choice" },
} as const satisfies Record<string, DefaultSpec>;

export type DefaultName = keyof typeof DEFAULT_SPECS;

/** The values alone: `DEFAULTS.stopTimeoutSeconds` is 60. */
export const DEFAULTS = Object.fromEntries(Object.entries(DEFAULT_SPECS).map(([k, v]) => [k, v.value])) as { readonly [K in DefaultName]: number };

/** "60 s", "250 ms", "8": a default as the README and messages show it. */
export function shownDefault(name: DefaultName): string {
  const spec: DefaultSpec = DEFAULT_SPECS[name];
  return spec.unit ? `${spec.value} ${spec.unit}` : String(spec.value);
}
