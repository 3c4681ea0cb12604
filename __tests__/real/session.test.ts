/**
 * The session tests that run against stand-in hosts (unit/powershell/session.test.ts), against
 * real PowerShell through node-powershell: call deadline and kill, death mid-call and between calls,
 * respawn, unicode round trip, a 1 MB result, stderr noise, history trimming, and the envelope's
 * JSON of dates and enums, with Windows PowerShell 5.1's forms of the same values as fixtures.
 */
import { resolveExecutable } from '../../lib/powershell/executable';
import { parsePsJson } from '../../lib/powershell/json';
import { IMPORT_WEBADMINISTRATION } from '../../lib/scripts/webadmin';
import { ps } from '../../lib/powershell/quote';
import { PowerShellSession, SessionOptions } from '../../lib/powershell/session';
import { hostileCorpus } from '../helpers/hostile';
import { describeReal, PWSH_COMMAND, summary } from '../helpers/real-pwsh';
import { failure } from '../helpers/sim';
import { isAlive } from '../helpers/standins';

jest.setTimeout(120_000);

const sessions: PowerShellSession[] = [];
function real(options: Partial<SessionOptions> = {}): PowerShellSession {
  const { command, args } = PWSH_COMMAND!;
  // The library's environment for a PowerShell outside Windows (TERM=dumb), with the project's pwsh.dll.
  const executable = { command, leadingArgs: args, env: resolveExecutable({ executable: command }).env, description: `real PowerShell (${[command, ...args].join(' ')})`, simulated: false };
  const s = new PowerShellSession({ executable, callTimeoutMs: 60_000, ...options });
  sessions.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

const results: Record<string, boolean> = {};
const passed = (name: string): void => {
  results[name] = true;
};

describeReal('PowerShellSession against real PowerShell', () => {
  afterAll(() => {
    const names = ['data and one process', 'unicode round trip', '1 MB result', 'deadline and kill', 'death mid-call', 'death between calls', 'stderr noise', 'history trimming', 'dates and enums'];
    const failed = names.filter((n) => !results[n]);
    summary(`session (node-powershell + pwsh): ${names.length - failed.length}/${names.length} behaviours passed${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
  });

  it('returns the data of a call and reuses one process', async () => {
    const s = real();
    expect(await s.run(ps`Write-Output ${'hello'}`)).toBe('hello');
    const pid = s.pid;
    // The process the session holds is PowerShell itself, so that the kill checks below mean something.
    expect(await s.run(ps`$PID`)).toBe(pid);
    expect(await s.run(ps`$PSVersionTable.PSVersion.Major`)).toBeGreaterThanOrEqual(7);
    expect(s.pid).toBe(pid);
    expect(s.stats.spawns).toBe(1);
    passed('data and one process');
  });

  it('returns hostile and unicode strings unchanged through the whole path', async () => {
    const s = real();
    const sample = hostileCorpus().filter((_, i) => i % 8 === 0);
    const wrong: string[] = [];
    for (const value of sample) {
      const back = await s.run(ps`Write-Output ${value}`, { timeoutMs: 20_000 }).catch((e: unknown) => e);
      if (back !== value) wrong.push(`${JSON.stringify(value).slice(0, 60)} -> ${back instanceof Error ? back.message : JSON.stringify(back).slice(0, 60)}`);
    }
    expect(wrong).toEqual([]);
    passed('unicode round trip');
  });

  it('returns a 1 MB result', async () => {
    const s = real();
    const text = (await s.run(ps`'x' * 1048576`)) as string;
    expect(text.length).toBe(1_048_576);
    const unicode = (await s.run(ps`'é😀' * 65536`)) as string;
    expect(unicode).toBe('é😀'.repeat(65536));
    passed('1 MB result');
  });

  it('kills a call that passes its deadline, reports SESSION_TIMEOUT, and answers the next call from a new process', async () => {
    const s = real();
    await s.run(ps`Write-Output ${'warm'}`);
    const firstPid = s.pid!;
    expect((await failure(s.run(ps`Start-Sleep -Seconds 600`, { timeoutMs: 1500 }))).code).toBe('SESSION_TIMEOUT');
    expect(isAlive(firstPid)).toBe(false);
    expect(await s.run(ps`Write-Output ${'after'}`)).toBe('after');
    expect(s.pid).not.toBe(firstPid);
    expect(s.stats.timeouts).toBe(1);
    passed('deadline and kill');
  });

  it('reports SESSION_DIED when the process dies during a call, and recovers on the next call', async () => {
    const s = real();
    await s.run(ps`Write-Output ${'before'}`);
    const pid = s.pid!;
    const err = await failure(s.run(ps`[Environment]::Exit(3)`));
    expect(err.code).toBe('SESSION_DIED');
    expect(isAlive(pid)).toBe(false);
    expect(await s.run(ps`Write-Output ${'after'}`)).toBe('after');
    expect(s.stats.deaths).toBe(1);
    passed('death mid-call');
  });

  it('starts a new process transparently after a death between calls', async () => {
    const s = real();
    await s.run(ps`Write-Output ${'x'}`);
    const pid = s.pid!;
    process.kill(pid, 'SIGKILL');
    // Wait for the session to have seen the exit (pid is undefined once it has), not a guessed delay.
    while (s.pid !== undefined) await new Promise((r) => setTimeout(r, 10));
    expect(isAlive(pid)).toBe(false);
    expect(await s.run(ps`Write-Output ${'revived'}`, { timeoutMs: 20_000 })).toBe('revived');
    expect(s.pid).not.toBe(pid);
    expect(s.stats.spawns).toBe(2);
    passed('death between calls');
  });

  it('decides success from the result line, not from stderr noise', async () => {
    const warnings: unknown[] = [];
    const logger = { warn: (...a: unknown[]) => warnings.push(a), debug: () => undefined, info: () => undefined, error: () => undefined } as never;
    const s = real({ logger });
    expect(await s.run(ps`[Console]::Error.WriteLine('real noise on stderr'); Write-Warning 'a warning'; Write-Output ${'clean'}`)).toBe('clean');
    expect(JSON.stringify(warnings)).toMatch(/real noise on stderr/);
    passed('stderr noise');
  });

  it("trims the host's history and $Error every N calls", async () => {
    const s = real({ maintenanceEvery: 3 });
    const counts = async () => ((await s.run(ps`"$(@(Get-History).Count) $($global:Error.Count)"`)) as string).split(' ').map(Number);
    const [, errorsAtFirst] = (((await s.run(ps`$null = Get-Item -LiteralPath '/nonexistent/iisctl' -ErrorAction SilentlyContinue; "$(@(Get-History).Count) $($global:Error.Count)"`)) as string).split(' ').map(Number));
    expect(errorsAtFirst).toBeGreaterThan(0);
    await counts();
    const [historyBefore] = await counts(); // the trim runs after this third call
    const [historyAfter, errorsAfter] = await counts();
    // node-powershell's lines of each call land in the history; the trim empties it and $Error.
    expect(historyAfter).toBeLessThan(historyBefore);
    expect(errorsAfter).toBe(0);
    passed('history trimming');
  });

  it('returns dates and enums as PowerShell 7 writes them; the 5.1 forms of the same values parse to the same instant and number', async () => {
    const s = real();
    const data = (await s.run(ps`[pscustomobject]@{ When = [datetime]::new(2024, 7, 14, 2, 13, 2, [DateTimeKind]::Utc); Day = [System.DayOfWeek]::Sunday; Status = [System.IO.FileAttributes]::Hidden; Text = [string][System.DayOfWeek]::Sunday; Iso = [datetime]::new(2024, 7, 14, 2, 13, 2, [DateTimeKind]::Utc).ToString('o') }`)) as Record<string, unknown>;
    // PowerShell 7: a DateTime is an ISO 8601 string (PowerShell/PowerShell PR 11126), an enum an integer.
    expect(data).toEqual({ When: '2024-07-14T02:13:02Z', Day: 0, Status: 2, Text: 'Sunday', Iso: '2024-07-14T02:13:02.0000000Z' });
    // Windows PowerShell 5.1 writes the same object as below (dates "\/Date(ms)\/": PR 11126 and
    // the 5.1 ConvertTo-Json example; enums integers: node-powershell.md section 3).
    const [v51] = parsePsJson('{"When":"\\/Date(1720923182000)\\/","Day":0,"Status":2,"Text":"Sunday","Iso":"2024-07-14T02:13:02.0000000Z"}') as Array<Record<string, unknown>>;
    expect(v51.When).toEqual(new Date(Date.parse(data.When as string)));
    expect({ ...v51, When: undefined }).toEqual({ ...data, When: undefined });
    passed('dates and enums');
  });

  it('imports WebAdministration once per session: later calls find it loaded and skip Import-Module', async () => {
    const s = real();
    // A counting Import-Module (a function comes before the cmdlet in command lookup) that loads an
    // empty module of that name, since pwsh outside Windows has no WebAdministration.
    await s.run(ps`function global:Import-Module { $global:iisctlImports++; New-Module -Name WebAdministration -ScriptBlock { } | Microsoft.PowerShell.Core\\Import-Module -Global }
$null`);
    for (let i = 0; i < 3; i++) await s.run(ps`${IMPORT_WEBADMINISTRATION}
$null`);
    expect(await s.run(ps`[int]$global:iisctlImports`)).toBe(1);
  });
});
