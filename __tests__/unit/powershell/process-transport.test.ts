/**
 * The process transport drives node-powershell without writing any of its fields: calls speak its
 * delimiter protocol over the public streams, and every listener a call adds is gone once it is
 * answered (node-powershell's invoke() kept a reaction with each call's output for ever).
 */
import { resolveExecutable } from '../../../lib/powershell/executable';
import { wrapScript } from '../../../lib/powershell/envelope';
import { ProcessTransport } from '../../../lib/powershell/processTransport';
import { ps } from '../../../lib/powershell/quote';
import { standInPath } from '../../helpers/standins';

interface Internals {
  streams: { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream };
  process: NodeJS.EventEmitter;
  history: unknown[];
}

describe('ProcessTransport', () => {
  it('runs many calls with no field of node-powershell written, no history kept and no listener left behind', async () => {
    const transport = new ProcessTransport(resolveExecutable({ executable: standInPath('well-behaved') }));
    transport.hold(true);
    const shell = (transport as unknown as { ps: Internals & Record<string, unknown> }).ps;
    // Every own field of node-powershell read-only from here on: a write throws (strict mode).
    for (const key of Object.keys(shell)) Object.defineProperty(shell, key, { writable: false });
    try {
      const calls = transport as unknown as { onEnd: Set<unknown> };
      const listeners = () => [shell.streams.stdout.listenerCount('data'), shell.streams.stderr.listenerCount('data'), shell.process.listenerCount('exit'), calls.onEnd.size];
      const before = listeners();
      for (let i = 0; i < 30; i++) {
        const wrapped = wrapScript(ps`Write-Output ${`call ${i}`}`);
        const out = await transport.send(wrapped.line);
        expect(out.stdout).toContain(wrapped.marker);
        expect(out.stdout).toContain(`call ${i}`);
      }
      // Nothing accumulates: no listener more than before the calls (node-powershell's own stderr
      // reader may have let go meanwhile), and no call is left waiting for the process's end.
      const after = listeners();
      expect(after.every((n, i) => n <= before[i])).toBe(true);
      expect(after[3]).toBe(0);
      expect(shell.history).toHaveLength(0);
    } finally {
      await transport.terminate('SIGTERM');
    }
    expect(transport.exited).toBe(true);
  }, 120_000);

  it('a call sent to a process that has ended rejects', async () => {
    const transport = new ProcessTransport(resolveExecutable({ executable: standInPath('well-behaved') }));
    await transport.terminate('SIGTERM');
    await expect(transport.send(wrapScript(ps`1`).line)).rejects.toThrow(/ended/);
  });
});
