/**
 * Every changing CLI command, interrupted two ways (issue 12, "Done when"):
 * - its stdout and stderr closed before it writes anything (`iisctl restart | head -1`, a closed
 *   console): it must finish the operation; exit 0 only when the change is there;
 * - SIGHUP (console window or ssh session closed) once it holds the host lock: CANCELLED, exit 130,
 *   or exit 0 only when the operation had already completed.
 * Either way the run leaves its audit event, the host lock free, and a state `status` reports
 * truthfully. "Mid-operation" is the host lock seen held in the simulated machine's state, and
 * for SIGHUP every service and pool transition takes 1.5 s, so the signal lands while the command
 * waits (the commands marked `waits` must then end CANCELLED). A closed output needs no slow
 * transitions: iisctl writes on events, not on timers, so it makes the same writes (each one
 * EPIPE) whatever the transitions take. The interrupted run is a process (signals, a closed pipe);
 * the setup and the `status` read back after it run in this process on the same state file (only
 * the run itself is about what a process shows). Cases run INTERRUPT_PARALLEL (default 3) at a
 * time: each mostly waits on its simulated host.
 */
import { changedScenario, inProcessMachine, localComputer, SimMachine, parseOneDocument } from '../helpers/cli';
import { strays, until } from './faults-helpers';
import { anyLockHeld, auditMessages, startCli } from './interrupt-helpers';

jest.setTimeout(600_000);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Status = { services: Json[]; appPools: Json[]; sites: Json[]; restarts: Json };

const SLOW_MS = 1500;

/** How fast the scenario's transitions are: as bundled ('fast'), or every one slowed to SLOW_MS. */
type Pace = 'fast' | 'slow';

/** The fast scenario, with every service and pool transition slowed to SLOW_MS when `pace` is slow; `change` adjusts it further. */
function scenario(pace: Pace, change?: (scenario: Json) => void, base = 'fast'): string {
  return changedScenario(base, (s) => {
    if (pace === 'slow') {
      for (const computer of Object.values(s.computers as Record<string, Json>)) {
        for (const svc of (computer.services as Json[]) ?? []) Object.assign(svc, { startMs: SLOW_MS, stopMs: SLOW_MS });
        for (const pool of (computer.appPools as Json[]) ?? []) pool.timing = { ...pool.timing, startMs: SLOW_MS, stopMs: SLOW_MS, overlapMs: SLOW_MS };
      }
    }
    change?.(s);
  });
}

const iisStopped = (s: Json) => {
  for (const svc of localComputer(s).services as Json[]) svc.status = 'Stopped';
};
const find = (list: Json[], name: string) => list.find((x) => x.name === name);
const serviceIs = (want: string) => (st: Status) => ['WAS', 'W3SVC'].every((n) => find(st.services, n)?.status === want);
const poolIs = (want: string) => (st: Status) => find(st.appPools, 'DefaultAppPool')?.state === want;
const siteIs = (want: string) => (st: Status) => find(st.sites, 'Default Web Site')?.state === want;

interface Case {
  name: string;
  args: string[];
  /** The audit action the run must leave (`iisctl <action> succeeded|failed`). */
  audit: string;
  scenario?: string;
  /** Runs first, to set the machine up (e.g. a backup to restore). */
  setup?: string[];
  /** The change is visible in `status` (checked whenever the run exits 0). */
  effect?: (status: Status) => boolean;
  /** Where the lock and the state live: a remote computer of the farm. */
  computer?: string;
  /** Waits SLOW_MS or more for a transition after taking the lock: SIGHUP must find it waiting (exit 130). */
  waits?: boolean;
}

const FARM = 'farm';
const CASES: Case[] = [
  { name: 'stop', waits: true, args: ['stop'], audit: 'stop', effect: serviceIs('Stopped') },
  { name: 'start', waits: true, args: ['start'], audit: 'start', scenario: 'iis-stopped', effect: serviceIs('Running') },
  { name: 'restart', waits: true, args: ['restart'], audit: 'restart', effect: serviceIs('Running') },
  { name: 'iisreset /stop', waits: true, args: ['/stop'], audit: 'stop', effect: serviceIs('Stopped') },
  { name: 'iisreset /start', waits: true, args: ['/start'], audit: 'start', scenario: 'iis-stopped', effect: serviceIs('Running') },
  { name: 'iisreset /restart', waits: true, args: ['/restart'], audit: 'restart', effect: serviceIs('Running') },
  { name: 'iisreset /disable', args: ['/disable'], audit: 'disable', effect: (st) => st.restarts.enabled === false },
  { name: 'iisreset /enable', args: ['/enable'], audit: 'enable', effect: (st) => st.restarts.enabled === true },
  { name: 'disable', args: ['disable', '--reason', 'freeze'], audit: 'disable', effect: (st) => st.restarts.enabled === false },
  { name: 'enable', args: ['enable'], audit: 'enable', effect: (st) => st.restarts.enabled === true },
  { name: 'pool recycle', args: ['pool', 'recycle', 'DefaultAppPool'], audit: 'apppool-recycle', effect: poolIs('Started') },
  { name: 'pool stop', waits: true, args: ['pool', 'stop', 'DefaultAppPool'], audit: 'apppool-stop', effect: poolIs('Stopped') },
  { name: 'pool start', waits: true, args: ['pool', 'start', 'DefaultAppPool'], audit: 'apppool-start', scenario: 'pool-stopped', effect: poolIs('Started') },
  { name: 'pool set', args: ['pool', 'set', 'DefaultAppPool', '--cpu-limit', '80', '--cpu-action', 'KillW3wp'], audit: 'apppool-configure' },
  { name: 'site stop', args: ['site', 'stop', 'Default Web Site'], audit: 'site-stop', effect: siteIs('Stopped') },
  { name: 'site start', args: ['site', 'start', 'Default Web Site'], audit: 'site-start', scenario: 'site-stopped', effect: siteIs('Started') },
  { name: 'site restart', args: ['site', 'restart', 'Default Web Site'], audit: 'site-restart', effect: siteIs('Started') },
  { name: 'heal', waits: true, args: ['heal', 'DefaultAppPool'], audit: 'apppool-recycle', effect: poolIs('Started') },
  { name: 'recovery enable', args: ['recovery', 'enable', 'WAS'], audit: 'recovery-enable' },
  { name: 'recovery disable', args: ['recovery', 'disable', 'WAS'], audit: 'recovery-disable' },
  { name: 'backup create', args: ['backup', 'create', 'nightly'], audit: 'backup-create' },
  { name: 'backup restore', args: ['backup', 'restore', 'nightly', '--yes'], audit: 'backup-restore', setup: ['backup', 'create', 'nightly'] },
  { name: 'rolling restart', waits: true, args: ['rolling', 'restart', '-c', 'WEB02'], audit: 'restart', scenario: FARM, computer: 'WEB02', effect: serviceIs('Running') },
];

const SCENARIO_FILES: Record<string, (pace: Pace) => string> = {
  default: (pace) => scenario(pace),
  'iis-stopped': (pace) => scenario(pace, iisStopped),
  'pool-stopped': (pace) =>
    scenario(pace, (s) => {
      find(localComputer(s).appPools as Json[], 'DefaultAppPool')!.state = 'Stopped';
    }),
  'site-stopped': (pace) =>
    scenario(pace, (s) => {
      find(localComputer(s).sites as Json[], 'Default Web Site')!.state = 'Stopped';
    }),
  [FARM]: (pace) => scenario(pace, undefined, 'farm'),
};
const scenarios = new Map<string, string>();
const scenarioOf = (c: Case, pace: Pace) => {
  const key = `${c.scenario ?? 'default'} ${pace}`;
  if (!scenarios.has(key)) scenarios.set(key, SCENARIO_FILES[c.scenario ?? 'default'](pace));
  return scenarios.get(key)!;
};

async function status(machine: SimMachine, computer?: string): Promise<Status> {
  const r = await machine.json(['status', ...(computer ? ['-c', computer] : [])]);
  expect(r.code).toBe(0);
  const result = r.doc.result as Json;
  expect(result.lock).toMatchObject({ held: false }); // released, whatever happened
  return result as Status;
}

/** The run's own audit event: exactly one for its action beyond those before it. */
function auditOf(machine: SimMachine, before: number, action: string): string {
  const mine = auditMessages(machine.stateFile).slice(before).filter((m) => m.startsWith(`iisctl ${action} `));
  expect(mine).toHaveLength(1);
  return mine[0];
}

/** The case's machine: its setup (and later `status`) in this process, the interrupted run spawned on the same state file. */
async function prepared(c: Case, pace: Pace): Promise<{ machine: SimMachine; audits: number }> {
  const machine = inProcessMachine(scenarioOf(c, pace));
  if (c.setup) expect((await machine.run(c.setup)).code).toBe(0);
  return { machine, audits: auditMessages(machine.stateFile).length };
}

/** Runs the cases a few at a time: each mostly waits on its simulated services. */
async function eachCase(run: (c: Case) => Promise<void>): Promise<void> {
  const queue = [...CASES];
  const failures: string[] = [];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      try {
        await run(c);
      } catch (e) {
        failures.push(`${c.name}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Number(process.env.INTERRUPT_PARALLEL ?? 3) }, worker));
  expect(failures).toEqual([]);
}

describe('every changing command, interrupted', () => {
  it('with stdout and stderr closed before anything is written: the operation completes, exit 0, audited, status shows the change', async () => {
    await eachCase(async (c) => {
      const { machine, audits } = await prepared(c, 'fast');
      const run = startCli([`--simulate=${machine.scenario}`, ...c.args], machine.env(), { closeOutput: true });
      const done = await run.done;
      expect({ case: c.name, code: done.code }).toEqual({ case: c.name, code: 0 });
      expect(auditOf(machine, audits, c.audit)).toMatch(new RegExp(`^iisctl ${c.audit} succeeded;`));
      const st = await status(machine, c.computer);
      if (c.effect) expect({ case: c.name, effect: c.effect(st) }).toEqual({ case: c.name, effect: true });
      expect(await strays(machine.stateFile)).toEqual([]);
    });
  });

  it('with SIGHUP once it holds the host lock: CANCELLED (exit 130) with the state read back, or exit 0 only when done; audited; lock released; status agrees', async () => {
    await eachCase(async (c) => {
      const { machine, audits } = await prepared(c, 'slow');
      const run = startCli([`--simulate=${machine.scenario}`, ...c.args, '--json'], machine.env());
      // A quick command (backup create, enable, ...) can take and release the lock between two
      // reads of the state file: its exit ends the wait too, and it must then have finished (below).
      let exited = false;
      void run.done.then(
        () => (exited = true),
        () => (exited = true),
      );
      await until(() => exited || anyLockHeld(machine.stateFile), 60_000, `${c.name} to hold the host lock`);
      if (!exited) run.child.kill('SIGHUP');
      const done = await run.done;
      const doc = parseOneDocument(done.stdout);
      const st = await status(machine, c.computer);
      const audit = auditOf(machine, audits, c.audit);
      if (done.code === 0 && !c.waits) {
        // Finished before it noticed the signal: then the change must be there.
        expect(audit).toMatch(new RegExp(`^iisctl ${c.audit} succeeded;`));
        if (c.effect) expect({ case: c.name, effect: c.effect(st) }).toEqual({ case: c.name, effect: true });
        return;
      }
      expect({ case: c.name, code: done.code }).toEqual({ case: c.name, code: 130 });
      expect(done.stderr).toMatch(/SIGHUP: stopping the wait/);
      expect(audit).toMatch(new RegExp(`^iisctl ${c.audit} failed;.*Interrupted`));
      // rolling: the host's own error is in its entry.
      const error = (doc.hosts?.[0]?.error ?? doc.error) as Json | undefined;
      if (error) expect(error.code).toBe('CANCELLED');
      // What the run says it left is what status finds (a pending transition may have finished since).
      const after = (error?.operation?.after ?? []) as Json[];
      for (const svc of after) {
        const now = find(st.services, svc.name)?.status;
        const moved: Record<string, string> = { StopPending: 'Stopped', StartPending: 'Running' };
        expect([svc.status, moved[svc.status]]).toContain(now);
      }
      expect(await strays(machine.stateFile)).toEqual([]);
    });
  });
});
