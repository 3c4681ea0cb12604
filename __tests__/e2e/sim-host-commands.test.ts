/**
 * Get-Command, iisreset /ENABLE|/DISABLE and Stop-Process on protected processes, through the
 * library's PowerShellSession against the built simulated host (dist/sim/host.js).
 */
import * as path from 'node:path';
import { ps } from '../../lib/powershell/quote';
import { PowerShellSession } from '../../lib/powershell/session';
import { useSimSessions } from '../helpers/sim-session';
import { failure } from '../helpers/sim';
import { changedScenario } from '../helpers/cli';

const { session: openSession, tmp } = useSimSessions('iisctl-e2e-cmds-');
const session = (scenario: string, stateFile?: string): PowerShellSession => openSession(scenario, { stateFile });
let n = 0;

/**
 * On the pwsh engine Get-Command is the simulator's for iisreset[.exe] only; for anything else it is
 * PowerShell's own, which finds the module's shadowing functions and words CommandNotFoundException
 * as pwsh 7 does (lib/sim/README.md, the pwsh engine's known differences): those cases run on the
 * interpreter only.
 */
const interpOnly = process.env.IISCTL_SIM_ENGINE === 'pwsh' ? it.skip : it;

describe('Get-Command through the session', () => {
  it('finds iisreset.exe as an Application at its system32 path', async () => {
    const s = session('fast');
    await expect(s.run(ps`$c = Get-Command -Name iisreset.exe -ErrorAction Stop; @{ Name = $c.Name; Type = $c.CommandType.ToString(); Path = $c.Path; Source = $c.Source }`))
      .resolves.toEqual({ Name: 'iisreset.exe', Type: 'Application', Path: 'C:\\Windows\\system32\\iisreset.exe', Source: 'C:\\Windows\\system32\\iisreset.exe' });
  });

  it('finds no iisreset where IIS is not installed', async () => {
    // The machine without W3SVC (what the simulator takes for IIS installed) and its history of it.
    const noIis = changedScenario('fast', (sc) => {
      for (const c of Object.values(sc.computers as Record<string, { services: Array<{ name: string }>; history?: Array<{ service?: string }> }>)) {
        c.services = c.services.filter((svc) => svc.name !== 'W3SVC');
        c.history = c.history?.filter((h) => h.service !== 'W3SVC');
      }
    });
    await expect(session(noIis).run(ps`$null -eq (Get-Command -Name iisreset.exe -ErrorAction SilentlyContinue)`)).resolves.toBe(true);
  });

  interpOnly('a cmdlet comes from its module', async () => {
    await expect(session('fast').run(ps`(Get-Command Stop-Service).Source`)).resolves.toBe('Microsoft.PowerShell.Management');
  });

  interpOnly('an unknown command: CommandNotFoundException,...GetCommandCommand; SilentlyContinue gives $null', async () => {
    const s = session('fast');
    const e = await failure(s.run(ps`Get-Command -Name ${'Get-Nothing'} -ErrorAction Stop`));
    expect(e.powershell?.fullyQualifiedErrorId).toBe('CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand');
    expect(e.message).toBe("The term 'Get-Nothing' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.");
    await expect(s.run(ps`$null -eq (Get-Command -Name ${'Get-Nothing'} -ErrorAction SilentlyContinue)`)).resolves.toBe(true);
  });
});

describe('iisreset /DISABLE and /ENABLE through the session', () => {
  it('the flag persists in the state across host processes; /RESTART then fails with 0x800710D5 until /ENABLE', async () => {
    const state = path.join(tmp, `state-disable-${n++}.json`);
    const a = session('fast', state);
    await expect(a.run(ps`$o = iisreset /DISABLE; @{ NoOutput = $null -eq $o; Exit = $LASTEXITCODE }`)).resolves.toEqual({ NoOutput: true, Exit: 0 });
    await a.close();
    const b = session('fast', state);
    await expect(b.run(ps`$o = iisreset /RESTART; @{ Last = @($o)[-1]; Exit = $LASTEXITCODE; W3SVC = (Get-Service W3SVC).Status.ToString() }`))
      .resolves.toEqual({ Last: 'A resource required for this operation is disabled. (2147946709, 800710d5)', Exit: 1, W3SVC: 'Running' });
    await expect(b.run(ps`$null = iisreset /ENABLE; $o = iisreset /STOP; @{ Last = @($o)[-1]; Exit = $LASTEXITCODE }`))
      .resolves.toEqual({ Last: 'Internet services successfully stopped', Exit: 0 });
  });

  it('not-admin: /DISABLE prints the access-denied text and exits 1', async () => {
    await expect(session('not-admin').run(ps`$o = iisreset /DISABLE; @{ First = @($o)[0]; Exit = $LASTEXITCODE }`))
      .resolves.toEqual({ First: 'Access denied, you must be an administrator of the remote computer to use this', Exit: 1 });
  });
});
