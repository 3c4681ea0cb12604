jest.mock('../../../lib/scripts/command', () => require('./fake-host').commandModule());

import type { IisServiceController } from '../../../lib/control/iisServices';
import { BackupController } from '../../../lib/control/settings-backups';
import { WebOperations } from '../../../lib/control/webOperations';
import { audits, failure, FakeSession, recordingLogger, run } from './fake-host';

beforeEach(() => jest.useFakeTimers({ now: Date.UTC(2026, 11, 6, 10) }));
afterEach(() => jest.useRealTimers());

function setup(listed: string[]) {
  const session = new FakeSession();
  session
    .on(/^write the audit event/, undefined)
    .on('list the IIS configuration backups', () => listed.map((name) => ({ name, createdAt: '2026-12-06T09:00:00Z' })))
    .on(/^back up the IIS configuration as /, undefined)
    .on(/^restore the IIS configuration backup /, undefined);
  const ops = new WebOperations({ session: session.asSession, services: {} as IisServiceController, logger: recordingLogger() });
  return { session, backups: new BackupController(ops) };
}

describe('BackupController', () => {
  it('create is verified by finding the backup in the list afterwards (names compare without case)', async () => {
    const { session, backups } = setup(['before-deploy']);
    expect(await run(backups.create('Before-Deploy'))).toMatchObject({ name: 'before-deploy' });
    expect(session.purposes()).toEqual(['back up the IIS configuration as Before-Deploy', 'list the IIS configuration backups', 'write the audit event for backup-create']);
  });

  it('a backup that does not show up in the list is FAILED, and audited as failed', async () => {
    const { session, backups } = setup([]);
    const e = await failure(backups.create('b1'));
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/is not listed on localhost after Backup-WebConfiguration/);
    expect(audits(session)).toEqual(['backup-create failed']);
  });

  it('restore of a backup that does not exist is NOT_FOUND with only the list read: nothing restored, nothing audited', async () => {
    const { session, backups } = setup(['other']);
    const e = await failure(backups.restore('b1'));
    expect(e.code).toBe('NOT_FOUND');
    expect(session.purposes()).toEqual(['list the IIS configuration backups']);
  });

  it('restore of an existing backup uses the name as listed, audited', async () => {
    const { session, backups } = setup(['Nightly']);
    await run(backups.restore('nightly'));
    expect(session.purposes()).toEqual(['list the IIS configuration backups', 'restore the IIS configuration backup Nightly', 'write the audit event for backup-restore']);
  });

  it('a bad name is INVALID_ARGUMENT before any round trip', async () => {
    const { session, backups } = setup([]);
    expect((await failure(backups.create(''))).code).toBe('INVALID_ARGUMENT');
    expect(() => backups.plan('restore', 'x'.repeat(256))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(session.calls).toEqual([]);
  });
});
