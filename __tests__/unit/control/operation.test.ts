jest.mock('../../../lib/scripts/command', () => require('./fake-host').commandModule());

import { asInterruption, withOperation, CommandRunner, currentUser, disabledError, eventsSince, HostOperator, withStateLeft } from '../../../lib/control/operation';
import { HostLock, parseLockOptions } from '../../../lib/control/lock';
import { parseRemoteTarget } from '../../../lib/scripts/remote';
import { IisctlError } from '../../../lib/errors';
import { audits, failure, FakeSession, recordingLogger, run } from './fake-host';

const T0 = Date.UTC(2026, 11, 6, 10, 0, 0);
beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(() => jest.useRealTimers());

class Operator extends HostOperator {}

function setup(extra: { computerName?: string; lock?: boolean; signal?: AbortSignal } = {}) {
  const session = new FakeSession();
  session.on(/^write the audit event/, undefined).on(/^acquire the host lock/, { acquired: true, abandoned: false, expired: false }).on(/^release the host lock/, { released: true });
  const logger = recordingLogger();
  const lock = extra.lock ? new HostLock({ ...parseLockOptions(undefined), session: session.asSession, target: 'localhost', user: 'u', logger }) : undefined;
  const op = new Operator({ session: session.asSession, logger, user: 'CONTOSO\\ops', remote: extra.computerName === undefined ? undefined : parseRemoteTarget(extra.computerName), lock, signal: extra.signal, retry: { attempts: 2 } });
  return { session, logger, op };
}

describe('HostOperator', () => {
  it('run() sends to the remote computer when there is one, and retries transient failures within the policy', async () => {
    const { session, op } = setup({ computerName: 'WEB01' });
    session.on('read whether restarts are enabled on WEB01', { enabled: true }).once('read whether restarts are enabled on WEB01', () => {
      throw new IisctlError('TRANSIENT', 'busy');
    });
    const { readToggle } = jest.requireActual('../../../lib/scripts/toggle');
    const retries: unknown[] = [];
    await run(op.run(readToggle(), retries as never));
    expect(session.purposes()).toEqual(['read whether restarts are enabled on WEB01', 'read whether restarts are enabled on WEB01']);
    expect(retries).toHaveLength(1);
  });

  it('changing(): under the host lock, audited as succeeded with what it acted on; a failure is audited as failed and passed on', async () => {
    const { session, op } = setup({ lock: true });
    await run(op.changing('backup-create', 'backup=b1', async () => 'ok'));
    expect(session.purposes()).toEqual(['acquire the host lock (backup-create)', 'write the audit event for backup-create', 'release the host lock']);
    expect(session.calls[1].script).toContain('backup=b1');
    const e = await failure(op.changing('backup-create', 'backup=b2', async () => {
      throw new IisctlError('FAILED', 'disk full');
    }));
    expect(e.code).toBe('FAILED');
    expect(audits(session)).toEqual(['backup-create succeeded', 'backup-create failed']);
    expect(session.calls.filter((c) => c.purpose.startsWith('write'))[1].script).toContain('backup=b2: disk full');
  });

  it('changing(): close() during the change reports CANCELLED and audits on a fresh process', async () => {
    const { session, op } = setup();
    const e = await failure(op.changing('recovery-enable', 'services=W3SVC', async () => {
      session.lost = true;
      throw new IisctlError('SESSION_CLOSED', 'closed');
    }));
    expect(e.code).toBe('CANCELLED');
    expect(e.details).toMatchObject({ closed: true });
    expect(session.calls.filter((c) => c.readBack).map((c) => c.purpose)).toEqual(['write the audit event for recovery-enable']);
  });

  it('locked(): text that cannot reach PowerShell is INVALID_ARGUMENT before the lock is taken', async () => {
    const { session, op } = setup({ lock: true });
    const e = await failure(op.locked('stop', async () => 'x', 'bad\u0000reason'));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(session.calls).toEqual([]);
  });

  it('audit(): a failure to write the audit event is a warning, never the operation\'s error', async () => {
    const { session, op, logger } = setup();
    session.on(/^write the audit event/, () => {
      throw new IisctlError('ACCESS_DENIED', 'no event log access');
    });
    await run(op.audit({ action: 'stop', outcome: 'succeeded' }));
    expect(logger.records.find((r) => r.level === 'warn')!.message).toBe('could not write the audit event');
  });

  it('concluding(): runs again on a fresh process when the process died while it ran (its calls failed quietly)', async () => {
    const { session, op } = setup();
    let runs = 0;
    await run(op.concluding(async () => {
      runs++;
      if (runs === 1) {
        session.stats.deaths++;
        session.lost = true;
      }
    }));
    expect(runs).toBe(2);
    expect(session.readBacks).toBe(1);
    // Not lost: runs once, on the session itself.
    const b = setup();
    let once = 0;
    await run(b.op.concluding(async () => void once++));
    expect(once).toBe(1);
    expect(b.session.readBacks).toBe(0);
  });
});

describe('operation helpers', () => {
  it('eventsSince reads the window from one second before the start; a failure is logged, not thrown', async () => {
    const session = new FakeSession();
    session.on('read IIS events', (_c, call) => [{ id: 1, script: call.script }]);
    const logger = recordingLogger();
    const runner: CommandRunner = (c) => session.handle(c, {}) as never;
    const events = await eventsSince(runner, logger, 'localhost', T0, ['World Wide Web Publishing Service']);
    expect(events).toHaveLength(1);
    expect(session.calls[0].script).toContain('2026-12-06T09:59:59.000Z');
    session.on('read IIS events', () => {
      throw new IisctlError('FAILED', 'log full');
    });
    expect(await eventsSince(runner, logger, 'localhost', T0)).toEqual([]);
    expect(logger.records.map((r) => r.message)).toEqual(['could not read the events of the operation']);
  });

  it('disabledError names who, since when and why', () => {
    const e = disabledError('WEB01', { enabled: false, disabledBy: 'CONTOSO\\ann', disabledAt: '2026-12-01', reason: 'freeze' });
    expect(e.code).toBe('DISABLED');
    expect(e.message).toBe('Restarts are disabled on WEB01 by CONTOSO\\ann since 2026-12-01: freeze.');
  });

  it('withStateLeft adds the state read back to CANCELLED and SESSION_DIED only', () => {
    expect((withStateLeft(new IisctlError('CANCELLED', 'Interrupted.'), ['W3SVC Stopped']) as Error).message).toBe('Interrupted. Left: W3SVC Stopped.');
    const timeout = new IisctlError('TIMEOUT', 'slow');
    expect(withStateLeft(timeout, ['W3SVC StopPending'])).toBe(timeout);
  });

  it('asInterruption: SESSION_CLOSED, and SESSION_DIED after the signal fired, become CANCELLED; a death without a signal stays SESSION_DIED', () => {
    const aborted = AbortSignal.abort();
    expect((asInterruption(new IisctlError('SESSION_CLOSED', 'x'), undefined) as IisctlError).code).toBe('CANCELLED');
    expect((asInterruption(new IisctlError('SESSION_DIED', 'x'), aborted) as IisctlError).details).toMatchObject({ sessionDied: true });
    expect((asInterruption(new IisctlError('SESSION_DIED', 'x'), new AbortController().signal) as IisctlError).code).toBe('SESSION_DIED');
  });

  it('withOperation keeps code, message, hint and details and adds the record as the typed operation field (in toJSON too)', () => {
    const record = { host: 'localhost', durationMs: 5, steps: [] };
    const e = withOperation(new IisctlError('TIMEOUT', 'slow', { hint: 'h', details: { pending: ['W3SVC'] } }), record) as IisctlError<typeof record>;
    expect([e.code, e.message, e.hint]).toEqual(['TIMEOUT', 'slow', 'h']);
    expect(e.details).toEqual({ pending: ['W3SVC'] });
    expect(e.operation).toEqual({ host: 'localhost', durationMs: 5, steps: [] });
    expect(e.toJSON()).toMatchObject({ details: { pending: ['W3SVC'] }, operation: record });
  });

  it('currentUser is DOMAIN\\user on Windows when USERDOMAIN is set, the bare name elsewhere', () => {
    const bare = currentUser('linux', { USERDOMAIN: 'CONTOSO' });
    expect(bare).not.toContain('\\');
    expect(currentUser('win32', { USERDOMAIN: 'CONTOSO' })).toBe(`CONTOSO\\${bare}`);
    expect(currentUser('win32', {})).toBe(bare);
  });
});
