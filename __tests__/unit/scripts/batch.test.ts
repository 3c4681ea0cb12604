/**
 * batch(): several commands in one script, each part answered (or failed) on its own and parsed by
 * its own parser. The script is run in real PowerShell when it can be had (the envelope around it,
 * as a call would send it), and its answer decoded as the session does.
 */
import { spawnSync } from 'node:child_process';
import { batch, batchParts, SKIPPED_PART } from '../../../lib/scripts/batch';
import type { PsCommand } from '../../../lib/scripts/command';
import { onComputer, parseRemoteTarget } from '../../../lib/scripts/remote';
import { readEnvelope, wrapScript } from '../../../lib/powershell/envelope';
import { PsCode } from '../../../lib/powershell/quote';
import { IisctlError } from '../../../lib/errors';
import { PWSH_COMMAND } from '../../helpers/real-pwsh';

const cmd = <T>(purpose: string, script: string, parse: (d: unknown) => T): PsCommand<T> => ({ purpose, script: new PsCode(script), parse });

const parts = {
  first: cmd('set a variable', "$iisctlLeak = 'x'\n[pscustomobject]@{ n = 1; list = @(1, 2) }", (d) => d as { n: number; list: number[] }),
  failing: cmd('fail', "throw 'boom'", () => 'never'),
  third: cmd('see the variable', '[pscustomobject]@{ leaked = ($null -ne $iisctlLeak) }', (d) => (d as { leaked: boolean }).leaked),
  empty: cmd('no output', '$null = 1', (d) => (d === null ? 'none' : 'some')),
  badShape: cmd('unexpected shape', "'text'", (d) => {
    if (typeof d !== 'object') throw new Error('not an object');
    return d;
  }),
};

describe('batch', () => {
  it('parses each part with its own parser: a value, a classified error, no answer, a parser that rejects the shape', () => {
    const b = batch(parts, 'WEB01');
    const r = b.parse({
      first: { ok: true, data: { n: 1, list: [1, 2] }, error: null },
      failing: { ok: false, data: null, error: { message: 'boom', type: 'System.Management.Automation.RuntimeException', hresult: 0x80070425 | 0 } },
      third: { ok: true, data: { leaked: false }, error: null },
      empty: { ok: true, data: null, error: null },
      badShape: { ok: true, data: 'text', error: null },
    });
    expect(r.first).toEqual({ ok: true, value: { n: 1, list: [1, 2] } });
    expect(r.failing.ok).toBe(false);
    // Classified as the envelope's errors are: "cannot accept control messages" is TRANSIENT.
    expect(!r.failing.ok && [r.failing.error.code, r.failing.error.host]).toEqual(['TRANSIENT', 'WEB01']);
    expect(r.third).toEqual({ ok: true, value: false });
    expect(r.empty).toEqual({ ok: true, value: 'none' });
    expect(!r.badShape.ok && r.badShape.error).toBeInstanceOf(IisctlError);
    expect(b.parse({}).first.ok).toBe(false);
  });

  it('runs every part in its own child scope and try/catch, in order, and names its parts for stand-ins', () => {
    const b = batch(parts);
    const text = b.script.text;
    expect(text.match(/\$iisctlPart = & \{/g)).toHaveLength(5);
    expect(text.indexOf("throw 'boom'")).toBeLessThan(text.indexOf('$null -ne $iisctlLeak'));
    expect(b.purpose).toBe('set a variable; fail; see the variable; no output; unexpected shape');
    expect(Object.keys(batchParts(b)!)).toEqual(Object.keys(parts));
    expect(batchParts(parts.first)).toBeUndefined();
    expect(() => batch({})).toThrow(IisctlError);
    expect(() => batch({ 'bad key': parts.first })).toThrow(/letters and digits/);
  });

  it('a batch for a remote computer is ONE Invoke-Command holding every part', () => {
    const remote = onComputer(parseRemoteTarget('WEB02'), batch({ a: parts.first, b: parts.third }));
    expect(remote.script.text.match(/Invoke-Command/g)).toHaveLength(1);
    expect(remote.script.text.match(/\$iisctlPart = & \{/g)).toHaveLength(2);
  });

  it('waits on the host as long as its parts together: the call deadline stretches by their sum', () => {
    const waiting = (ms: number): PsCommand<null> => ({ ...cmd(`wait ${ms}`, '$null', () => null), waitsMs: ms });
    expect(batch({ a: waiting(300), b: parts.first, c: waiting(700) }).waitsMs).toBe(1000);
    expect(batch({ a: parts.first }).waitsMs).toBeUndefined();
  });

  (PWSH_COMMAND ? it : it.skip)('in real PowerShell: a failing part does not stop the next, parts do not see each other\'s variables; untilFailure runs nothing after a failed part', () => {
    const b = batch(parts, 'localhost');
    const until = batch({ first: parts.first, failing: parts.failing, third: parts.third }, 'localhost', { untilFailure: true });
    const wrapped = wrapScript(b.script);
    const wrappedUntil = wrapScript(until.script);
    const run = spawnSync(PWSH_COMMAND!.command, [...PWSH_COMMAND!.args, '-NoProfile', '-NonInteractive', '-Command', '-'], { input: `${wrapped.line}\n${wrappedUntil.line}\n`, encoding: 'utf8', timeout: 120_000 });
    const u = until.parse(readEnvelope(run.stdout, wrappedUntil.marker)!.data);
    expect(u.first).toEqual({ ok: true, value: { n: 1, list: [1, 2] } });
    expect(!u.failing.ok && u.failing.error.message).toMatch(/boom/);
    expect(!u.third.ok && u.third.error.message).toContain(SKIPPED_PART);
    const result = readEnvelope(run.stdout, wrapped.marker);
    expect(result?.ok).toBe(true);
    const r = b.parse(result!.data);
    expect(r.first).toEqual({ ok: true, value: { n: 1, list: [1, 2] } });
    expect(!r.failing.ok && r.failing.error.message).toMatch(/boom/);
    expect(r.third).toEqual({ ok: true, value: false });
    expect(r.empty).toEqual({ ok: true, value: 'none' });
    expect(r.badShape.ok).toBe(false);
  }, 150_000);
});
