/**
 * Native commands under the envelope's $ErrorActionPreference='Stop': Windows PowerShell 5.1 turns
 * the first redirected stderr line into a terminating NativeCommandError (modelled by the simulated
 * host's interpreter), so iisctl's scripts must capture it and judge the command by its exit code.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterpreter } from '../../../lib/sim/interp';
import { simCmdlets, SimHost } from '../../../lib/sim/cmdlets/index';
import { resetState } from '../../../lib/sim/state';
import type { NativeImpl } from '../../../lib/sim/interp';
import { enableRestarts } from '../../../lib/scripts/toggle';
import { writeRecovery } from '../../../lib/scripts/recovery';
import type { PsCommand } from '../../../lib/scripts/command';
import { wrap } from '../sim/interp.helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-natives-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A native that writes one stderr line and exits 0 (a warning, not a failure). */
const noisy: NativeImpl = ({ args }) => ({ stdout: `ran ${args.join(' ')}\r\n`, stderr: 'a warning on stderr\n', exitCode: 0 });

async function runUnderStop<T>(cmd: PsCommand<T>): Promise<T> {
  const stateFile = path.join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
  resetState('fast', stateFile);
  const interp = createInterpreter({
    cmdlets: simCmdlets,
    nativeCommands: new Map([['iisreset.exe', noisy], ['sc.exe', noisy]]),
    host: new SimHost({ scenario: 'fast', stateFile }),
    computerName: 'WEB01',
    sleep: async () => undefined,
  });
  const r = await interp.runLine(wrap(`$ErrorActionPreference = 'Stop'\n$__v = & {\n${cmd.script.text}\n}\n[Console]::Out.WriteLine((ConvertTo-Json -InputObject $__v -Depth 5 -Compress))`));
  expect(r.stderr).toBe('');
  return cmd.parse(JSON.parse(r.stdout));
}

describe('native commands are judged by exit code, their stderr captured', () => {
  it('sc.exe failure: a stderr line is output, not a terminating error', async () => {
    const r = await runUnderStop(writeRecovery('W3SVC', { actions: [{ type: 'restart', delayMs: 60_000 }], resetSeconds: 86_400 }));
    expect(r).toEqual({ service: 'W3SVC', exitCode: 0, output: expect.stringContaining('a warning on stderr') });
    expect(r.output).toContain('ran failure W3SVC');
  });
  it('iisreset.exe /enable: ran, exit code 0, stderr in the output', async () => {
    const r = await runUnderStop(enableRestarts());
    expect(r).toEqual({ ran: true, exitCode: 0, output: expect.stringContaining("a warning on stderr") });
  });
});
