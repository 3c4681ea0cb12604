/**
 * Locale: nothing iisctl reads may depend on English names or text, or it must fail clearly
 * instead of reading as "nothing" (an "off" recovery, zero connections).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSimInterpreter, SimHost } from '../../../lib/sim/cmdlets/index';
import { resetState } from '../../../lib/sim/state';
import { currentConnections } from '../../../lib/scripts/remote';
import { parseQFailure, parseRecovery } from '../../../lib/scripts/recovery';
import { wrap } from '../sim/interp.helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-locale-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('current connections (drain)', () => {
  it('come from the WMI performance class, not a localised Get-Counter path', () => {
    const script = currentConnections('Default Web Site').script.text;
    expect(script).not.toMatch(/Get-Counter|\\Web Service\(/i);
    expect(script).toContain("Get-CimInstance -ClassName 'Win32_PerfFormattedData_W3SVC_WebService'");
  });

  it('read a site\'s count on the simulated host; an unknown site is an error, not 0', async () => {
    const stateFile = path.join(dir, 'state.json');
    resetState('fast', stateFile);
    const interp = createSimInterpreter({ host: new SimHost({ scenario: 'fast', stateFile }), computerName: 'WEB01' });
    const run = (site: string) => interp.runLine(wrap(`$ErrorActionPreference = 'Stop'\ntry { $v = & {\n${currentConnections(site).script.text}\n}; [Console]::Out.WriteLine('n=' + $v.connections) } catch { [Console]::Out.WriteLine('error: ' + $_.Exception.Message) }`));
    expect((await run('Default Web Site')).stdout.trim()).toBe('n=0');
    expect((await run('_Total')).stdout.trim()).toBe('n=0');
    expect((await run('No Such Site')).stdout.trim()).toMatch(/^error: No Web Service performance data for the site No Such Site/);
  });
});

describe('sc.exe qfailure', () => {
  const english = ['[SC] QueryServiceConfig2 SUCCESS', '', 'SERVICE_NAME: W3SVC', '        RESET_PERIOD (in seconds)    : 86400', '        REBOOT_MESSAGE               : ',
    '        COMMAND_LINE                 : ', '        FAILURE_ACTIONS              : RESTART -- Delay = 60000 milliseconds.', '                                       RESTART -- Delay = 60000 milliseconds.', ''];

  it('reads the English output', () => {
    expect(parseQFailure(english)).toEqual({ resetSeconds: 86400, actions: [{ type: 'restart', delayMs: 60000 }, { type: 'restart', delayMs: 60000 }] });
  });

  it('fails clearly on output it cannot read, instead of reporting Automatic Restart as off', () => {
    const other = english.map((l) => l.replace('RESET_PERIOD (in seconds)', 'RESET_PERIOD (en secondes)').replace(/RESTART -- Delay = (\d+) milliseconds/, 'REDÉMARRER -- Délai = $1 millisecondes'));
    expect(() => parseRecovery([{ Name: 'W3SVC', Exists: true, ExitCode: 0, Output: other }])).toThrow(/Could not read the recovery actions of W3SVC/);
    const actionsOnly = english.map((l) => l.replace(/RESTART -- Delay = (\d+) milliseconds/, 'REDÉMARRER -- Délai = $1 millisecondes'));
    expect(() => parseQFailure(actionsOnly, 'W3SVC')).toThrow(/failure action/);
  });
});
