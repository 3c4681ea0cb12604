/**
 * Issue 9: application pool settings read and written through Get-/Set-WebConfigurationProperty
 * against the simulated host; invalid values refused before any PowerShell runs.
 */
import { DEFAULT_SETTINGS_FOR_TEST } from '../helpers/settings';
import * as path from 'node:path';
import { withMachine } from '../../lib/sim/state';
import { closeClients, localComputer, scenarioFile, inProcessClient, failure, tempDir } from '../helpers/sim';

afterEach(closeClients);

describe('appPools.settings', () => {
  it('reads every setting with the documented IIS 10 defaults, in one round trip', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const calls = iis.stats.calls;
    const s = await iis.appPools.settings('DefaultAppPool');
    expect(iis.stats.calls - calls).toBe(1);
    expect(s).toEqual({ name: 'DefaultAppPool', ...DEFAULT_SETTINGS_FOR_TEST });
  });

  it('NOT_FOUND for an unknown pool', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    expect((await failure(iis.appPools.settings('nope'))).code).toBe('NOT_FOUND');
  });
});

describe('appPools.configure', () => {
  it('writes every setting and shows before and after, read back', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const changes = {
      recycleTime: '00:00:00',
      recycleRequests: 100000,
      recycleSchedule: ['03:00', '15:30:00'],
      recyclePrivateMemoryKB: 1048576,
      recycleVirtualMemoryKB: 2097152,
      overlappingRecycle: false,
      logEventOnRecycle: ['Time', 'Schedule', 'PrivateMemory'] as const,
      rapidFailProtection: true,
      rapidFailMaxCrashes: 10,
      rapidFailInterval: '10m',
      cpuLimitPercent: 80,
      cpuAction: 'KillW3wp' as const,
      cpuResetInterval: '00:10:00',
      idleTimeout: '0s',
      idleTimeoutAction: 'Suspend' as const,
      startMode: 'AlwaysRunning' as const,
      autoStart: false,
      startupTimeLimit: '30s',
      shutdownTimeLimit: '00:00:45',
    };
    const r = await iis.appPools.configure('DefaultAppPool', { ...changes, logEventOnRecycle: [...changes.logEventOnRecycle] });
    expect(r.changed).toBe(true);
    expect(r.before).toEqual({ name: 'DefaultAppPool', ...DEFAULT_SETTINGS_FOR_TEST });
    expect(r.after).toEqual({
      name: 'DefaultAppPool',
      recycleTime: '00:00:00',
      recycleRequests: 100000,
      recycleSchedule: ['03:00:00', '15:30:00'],
      recyclePrivateMemoryKB: 1048576,
      recycleVirtualMemoryKB: 2097152,
      overlappingRecycle: false,
      logEventOnRecycle: ['Time', 'Schedule', 'PrivateMemory'],
      rapidFailProtection: true,
      rapidFailMaxCrashes: 10,
      rapidFailInterval: '00:10:00',
      cpuLimitPercent: 80,
      cpuAction: 'KillW3wp',
      cpuResetInterval: '00:10:00',
      idleTimeout: '00:00:00',
      idleTimeoutAction: 'Suspend',
      startMode: 'AlwaysRunning',
      autoStart: false,
      startupTimeLimit: '00:00:30',
      shutdownTimeLimit: '00:00:45',
    });
    expect(r.changes.map((c) => c.setting).sort()).toEqual(Object.keys(changes).filter((k) => k !== 'rapidFailProtection').sort());
    expect(r.unchanged).toEqual(['rapidFailProtection']);
    expect(r.changes.find((c) => c.setting === 'cpuLimitPercent')).toMatchObject({ attribute: 'cpu/@limit', before: 0, after: 80 });
    // A second run changes nothing.
    const again = await iis.appPools.configure('DefaultAppPool', { cpuLimitPercent: 80 });
    expect(again.changed).toBe(false);
  });

  it.each([
    [{ rapidFailMaxCrashes: 0 }, /1-2147483647/],
    [{ rapidFailMaxCrashes: 2.5 }, /whole number/],
    [{ cpuLimitPercent: 101 }, /0-100 %/],
    [{ cpuLimitPercent: 50.0001 }, /3 decimals/],
    [{ cpuAction: 'Kill' }, /NoAction, KillW3wp, Throttle, ThrottleUnderLoad/],
    [{ idleTimeoutAction: 'Sleep' }, /Terminate, Suspend/],
    [{ startMode: 'Always' }, /OnDemand, AlwaysRunning/],
    [{ recycleSchedule: ['24:00'] }, /time of day/],
    [{ recycleSchedule: ['03:00', '03:00:00'] }, /only once/],
    [{ recycleTime: 'soon' }, /duration/],
    [{ recycleTime: '50d' }, /outside the accepted range/],
    [{ startupTimeLimit: '0s' }, /outside the accepted range/],
    [{ recycleRequests: -1 }, /outside the accepted range/],
    [{ logEventOnRecycle: ['Crash'] }, /not one of/],
    [{ autoStart: 'yes' }, /true or false/],
    [{ nonsense: 1 }, /Unknown application pool setting/],
    [{}, /No setting/],
  ])('refuses %j before any PowerShell runs', async (changes, message) => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const calls = iis.stats.calls;
    const e = await failure(iis.appPools.configure('DefaultAppPool', changes as never));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(message);
    expect(iis.stats.calls).toBe(calls);
  });

  it.each([['a"b'], ['a/b'], ['x]'], [' ']])('refuses the pool name %j before any PowerShell runs', async (name) => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const calls = iis.stats.calls;
    expect((await failure(iis.appPools.settings(name))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(iis.appPools.configure(name, { cpuLimitPercent: 1 }))).code).toBe('INVALID_ARGUMENT');
    expect(iis.stats.calls).toBe(calls);
  });

  it.each([["O'Brien"], ["it's $(Stop-Process -Id 4) `n ' x"], ['\u2019quoted\u2018'], ['ünï ĉødé']])('reads and writes a pool named %j (XPath and PowerShell quoting)', async (name) => {
    const iis = await inProcessClient(scenarioFile('fast', (s) => {
      (localComputer(s).appPools as unknown[]).push({ name, workers: 0 });
    }));
    const r = await iis.appPools.configure(name, { rapidFailMaxCrashes: 7, recycleSchedule: ['01:00'] });
    expect(r.after).toMatchObject({ name, rapidFailMaxCrashes: 7, recycleSchedule: ['01:00:00'] });
    // The other pools are untouched.
    expect((await iis.appPools.settings('DefaultAppPool')).rapidFailMaxCrashes).toBe(5);
  });

  it('ACCESS_DENIED for a non-administrator, who cannot read the settings either; nothing changed', async () => {
    const scenario = scenarioFile('not-admin');
    const stateFile = path.join(tempDir(), 'state.json');
    const iis = await inProcessClient(scenario, { simulatorStateFile: stateFile });
    const e = await failure(iis.appPools.configure('DefaultAppPool', { cpuLimitPercent: 50 }));
    expect(e.code).toBe('ACCESS_DENIED');
    // IIS configuration is readable only by Administrators.
    expect((await failure(iis.appPools.settings('DefaultAppPool'))).code).toBe('ACCESS_DENIED');
    expect(await withMachine({ scenario, stateFile }, (m) => m.pool('DefaultAppPool')!.cpu.limit)).toBe(0);
  });

  it('planConfigure shows the script and changes nothing', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const plan = await iis.appPools.planConfigure('DefaultAppPool', { overlappingRecycle: false, idleTimeoutAction: 'Suspend' });
    expect(plan.changes.map((c) => c.attribute)).toEqual(['recycling/@disallowOverlappingRotation', 'processModel/@idleTimeoutAction']);
    expect(plan.steps[1].script).toContain("Set-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST'");
    expect((await iis.appPools.settings('DefaultAppPool')).overlappingRecycle).toBe(true);
  });
});
