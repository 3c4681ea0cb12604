/**
 * Issue 8 and 14, secrets: a password given to iisctl reaches the PowerShell process only through
 * its spawn environment (remoteSecretEnv), never a script's text (script block logging records the
 * text), and nowhere else: not the printable script (--dry-run, logs), not JSON, not util.inspect,
 * not error messages or details, not the CLI's stdout/stderr/--json/--log-file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import fc from 'fast-check';
import { connect } from '../../lib/client';
import { onComputer, parseRemoteTarget, remoteSecretEnv } from '../../lib/scripts/remote';
import { readIisServices } from '../../lib/scripts/services';
import { Secret, unquoteVerbatim } from '../../lib/powershell/quote';
import { loadParser } from '../../lib/sim/parser';
import { SCENARIOS, SimMachine, tempDir } from '../helpers/cli';
import { strays } from '../e2e/faults-helpers';

const RUNS = Number(process.env.FC_RUNS ?? 1000);
jest.setTimeout(180_000);

// Passwords long enough not to occur by chance in a script or a message.
const password = fc.string({ unit: 'grapheme', minLength: 8, maxLength: 40 }).filter((p) => p.trim().length >= 8 && !p.includes('\0') && !p.includes('*'));

describe('a Secret reaches the host script and nothing printable', () => {
  it('builders: no script carries the password, the spawn environment does; safeText, JSON, String and inspect never do', async () => {
    const parser = await loadParser();
    fc.assert(
      fc.property(password, (pw) => {
        const secret = new Secret(pw);
        const target = parseRemoteTarget('WEB02', { credential: { userName: 'CONTOSO\\ops', password: secret } });
        const cmd = onComputer(target, readIisServices());
        const tree = parser.parse(cmd.script.text);
        const literals: string[] = [];
        const walk = (n: import('../../lib/sim/parser').SyntaxNode): void => {
          if (n.type === 'string_literal' && /^['\u2018-\u201B]/.test(n.text)) literals.push(unquoteVerbatim(n.text));
          for (const c of n.children) if (c) walk(c);
        };
        walk(tree.rootNode);
        tree.delete();
        expect(literals).not.toContain(pw);
        expect(literals).toContain('CONTOSO\\ops');
        expect(remoteSecretEnv(target)).toEqual({ IISCTL_PASSWORD: pw });
        for (const printable of [cmd.script.text, cmd.script.safeText, String(cmd.script), JSON.stringify({ cmd, secret }), util.inspect(cmd, { depth: 10 }), util.inspect(secret), `${secret}`, cmd.purpose]) {
          expect(printable.includes(pw)).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('library: a failing remote operation with a credential leaks the password into no error, detail or log', async () => {
    const pw = 'Sup3r$ecret-\u2019-pw-7f3a';
    const lines: string[] = [];
    const { createLogger, transports, format } = await import('winston');
    const stream = new (await import('node:stream')).Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    const logger = createLogger({ level: 'silly', format: format.json(), transports: [new transports.Stream({ stream })] });
    const stateFile = path.join(tempDir(), 'state.json');
    const iis = await connect({ simulate: path.join(SCENARIOS, 'farm.json'), simulatorStateFile: stateFile, computerName: 'WEB03', credential: { userName: 'CONTOSO\\ops', password: pw }, logger, retry: { attempts: 1 } });
    try {
      const e = await iis.restart().then(() => undefined, (err: unknown) => err);
      expect(e).toBeDefined();
      const dump = [String(e), (e as Error).stack ?? '', JSON.stringify(e), util.inspect(e, { depth: 20 }), lines.join('\n'), JSON.stringify(await iis.plan('restart').catch((x: unknown) => x))].join('\n');
      expect(dump.includes(pw)).toBe(false);
    } finally {
      await iis.close();
    }
    expect(await strays(stateFile)).toEqual([]);
  });

  it('CLI: --user with IISCTL_PASSWORD: the password is in no output, --json document or log file', async () => {
    const pw = 'Cli-$ecret-\u2018pw\u2019-91c2';
    const machine = new SimMachine(path.join(SCENARIOS, 'farm.json'));
    const log = path.join(tempDir(), 'iisctl.log');
    const outputs: string[] = [];
    for (const args of [['restart', '-c', 'WEB02', '-c', 'WEB03', '--user', 'CONTOSO\\ops', '--json'], ['restart', '-c', 'WEB03', '--user', 'CONTOSO\\ops', '--dry-run'], ['status', '-c', 'WEB02', '--user', 'CONTOSO\\ops', '--log-level', 'silly']]) {
      const r = await machine.run([...args, '--log-file', log], { env: { IISCTL_PASSWORD: pw } });
      outputs.push(r.stdout, r.stderr);
    }
    outputs.push(fs.readFileSync(log, 'utf8'));
    expect(outputs.join('\n').includes(pw)).toBe(false);
    expect(await strays(machine.stateFile)).toEqual([]);
  });
});
