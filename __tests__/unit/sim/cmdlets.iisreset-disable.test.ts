/**
 * iisreset /DISABLE and /ENABLE (docs/sources.md §1.8): a persisted flag on the computer; while it is set the
 * IIisServiceControl calls fail with E_ERROR_RESOURCE_DISABLED 0x800710D5 and change nothing.
 */
import { run } from './interp.helpers';
import { local, faultOf } from './machine.helpers';
import { simRunspace } from './simhost.helpers';

const DISABLED = 'A resource required for this operation is disabled. (2147946709, 800710d5)';

async function iisreset(args: string, rs = simRunspace()): Promise<{ lines: string[]; exit: string }> {
  const r = await run(`iisreset ${args}\n"exit=$LASTEXITCODE"`, rs.interp);
  expect(r.stderr).toBe('');
  const lines = r.stdout.split(/\r?\n/).filter((l) => l !== '');
  return { lines: lines.slice(0, -1), exit: lines[lines.length - 1] };
}

describe('machine: iisResetDisabled', () => {
  it('is off by default, set and cleared by an administrator', () => {
    const m = local('fast');
    expect(m.iisResetDisabled).toBe(false);
    m.setIisResetDisabled(true);
    expect(m.iisResetDisabled).toBe(true);
    m.setIisResetDisabled(false);
    expect(m.iisResetDisabled).toBe(false);
  });

  it('refuses a non-administrator (AccessDenied, 0x80070005)', () => {
    const f = faultOf(() => local('not-admin').setIisResetDisabled(true));
    expect(f.kind).toBe('AccessDenied');
    expect(f.hresult).toBe(0x80070005);
  });
});

describe('iisreset /DISABLE, /ENABLE', () => {
  it('/DISABLE prints nothing (assumed), exits 0 and persists; /STOP then fails with 0x800710D5 and stops nothing', async () => {
    const rs = simRunspace();
    await expect(iisreset('/DISABLE', rs)).resolves.toEqual({ lines: [], exit: 'exit=0' });
    expect(await rs.machine((m) => m.iisResetDisabled)).toBe(true);
    await expect(iisreset('/STOP', rs)).resolves.toEqual({ lines: ['Attempting stop...', 'There was an error while performing this operation.', DISABLED], exit: 'exit=1' });
    await expect(iisreset('', rs)).resolves.toEqual({ lines: ['Attempting stop...', 'Restart attempt failed.', DISABLED], exit: 'exit=1' });
    await expect(iisreset('/start', rs)).resolves.toEqual({ lines: ['Attempting start...', DISABLED], exit: 'exit=1' });
    await expect(iisreset('/STATUS', rs)).resolves.toEqual({ lines: [DISABLED], exit: 'exit=1' });
    expect(await rs.machine((m) => [m.service('W3SVC')?.statusName, m.service('WAS')?.statusName])).toEqual(['Running', 'Running']);
    // No IISReset audit event: the disabled interface performs no other action.
    expect(await rs.machine((m) => m.events({ logName: 'System', providerName: 'Microsoft-Windows-IIS-IISReset' }).length)).toBe(0);
  });

  it('/ENABLE clears the flag and iisreset works again', async () => {
    const rs = simRunspace();
    await iisreset('/disable', rs);
    await expect(iisreset('/enable', rs)).resolves.toEqual({ lines: [], exit: 'exit=0' });
    expect(await rs.machine((m) => m.iisResetDisabled)).toBe(false);
    const r = await iisreset('/stop', rs);
    expect(r.lines).toEqual(['Attempting stop...', 'Internet services successfully stopped']);
    expect(await rs.machine((m) => m.events({ logName: 'System', providerName: 'Microsoft-Windows-IIS-IISReset' }).length)).toBe(1);
  });

  it('a non-administrator gets the access-denied text (docs/sources.md §1.7), exit 1, and the flag is unchanged', async () => {
    const rs = simRunspace('not-admin');
    const r = await iisreset('/DISABLE', rs);
    expect(r.lines[0]).toBe('Access denied, you must be an administrator of the remote computer to use this');
    expect(r.exit).toBe('exit=1');
    expect(await rs.machine((m) => m.iisResetDisabled)).toBe(false);
  });
});
