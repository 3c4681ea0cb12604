import { PassThrough } from 'node:stream';
import { checkArguments, LineRunner, serve } from '../../../lib/sim/protocol';

function harness(runner: Partial<LineRunner> = {}) {
  const input = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  const ran: string[] = [];
  const exits: number[] = [];
  serve(
    {
      isIncomplete: runner.isIncomplete ?? ((s) => (s.match(/\{/g) ?? []).length > (s.match(/\}/g) ?? []).length),
      run: runner.run ?? (async (s) => {
        ran.push(s);
        return s.startsWith('exit ') ? { stdout: '', stderr: '', exitCode: Number(s.slice(5)) } : { stdout: `ran:${s}\r\n`, stderr: '' };
      }),
    },
    { input, writeOut: (t) => out.push(t), writeErr: (t) => err.push(t), exit: (c) => exits.push(c) },
  );
  const settle = () => new Promise((r) => setTimeout(r, 20));
  return { input, out, err, ran, exits, settle };
}

describe('simulated host protocol', () => {
  it('echoes delimiters with LF on the right stream and runs the command between them', async () => {
    const h = harness();
    h.input.write('[Console]::Error.WriteLine("abc123")\r\n[Console]::Out.WriteLine("abc123")\r\nGet-Date\r\n[Console]::Error.WriteLine("abc123")\r\n[Console]::Out.WriteLine("abc123")\r\n');
    await h.settle();
    expect(h.out.join('')).toBe('abc123\nran:Get-Date\r\nabc123\n');
    expect(h.err.join('')).toBe('abc123\nabc123\n');
  });

  it('echoes the delimiter statements of one line in order (the library writes each side\'s two on one line)', async () => {
    const h = harness();
    h.input.write('[Console]::Error.WriteLine("d1");[Console]::Out.WriteLine("d1")\r\nGet-Date\r\n[Console]::Error.WriteLine("d1");[Console]::Out.WriteLine("d1")\r\n');
    await h.settle();
    expect(h.out.join('')).toBe('d1\nran:Get-Date\r\nd1\n');
    expect(h.err.join('')).toBe('d1\nd1\n');
    expect(h.ran).toEqual(['Get-Date']);
  });

  it('handles lines split across chunks', async () => {
    const h = harness();
    h.input.write('Get-');
    h.input.write('Service\n');
    await h.settle();
    expect(h.ran).toEqual(['Get-Service']);
  });

  it('holds an incomplete statement in block mode until a blank line, swallowing delimiters like PowerShell', async () => {
    const h = harness();
    h.input.write('if ($true) {\n[Console]::Out.WriteLine("d1")\n}\n');
    await h.settle();
    expect(h.ran).toEqual([]);
    expect(h.out).toEqual([]);
    h.input.write('\n');
    await h.settle();
    expect(h.ran).toEqual(['if ($true) {\n[Console]::Out.WriteLine("d1")\n}']);
  });

  it('runs lines strictly in order even when a command is slow', async () => {
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const slowStarted = new Promise<void>((r) => (started = r));
    let finished!: () => void;
    const bothDone = new Promise<void>((r) => (finished = r));
    harness({
      run: async (s) => {
        events.push(`start ${s}`);
        if (s === 'slow') {
          started();
          await gate; // slow until the test lets it finish
        }
        events.push(`end ${s}`);
        if (s === 'fast') finished();
        return { stdout: '', stderr: '' };
      },
    }).input.write('slow\nfast\n');
    await slowStarted;
    await new Promise((r) => setImmediate(r)); // a turn of the event loop: a concurrent runner would start 'fast' now
    release();
    await bothDone;
    expect(events).toEqual(['start slow', 'end slow', 'start fast', 'end fast']);
  });

  it('exits with the code of `exit N`, and with 0 at end of input', async () => {
    const h = harness();
    h.input.write('exit 3\nnever\n');
    await h.settle();
    expect(h.exits).toEqual([3]);
    expect(h.ran).toEqual(['exit 3']);
    const h2 = harness();
    h2.input.end('last\n');
    await h2.settle();
    expect(h2.ran).toEqual(['last']);
    expect(h2.exits).toEqual([0]);
  });
});

describe('powershell.exe arguments', () => {
  it('accepts -Command - in any case, prefix or slash form', () => {
    for (const argv of [['-NoLogo', '-NoExit', '-Command', '-'], ['-nop', '-c', '-'], ['/command', '-'], ['-COM', '-']]) {
      expect(checkArguments(argv, false)).toBeUndefined();
    }
  });

  it('refuses other invocations and a terminal on stdin with PowerShell\'s message', () => {
    expect(checkArguments(['-File', 'x.ps1'], false)).toMatch(/-Command -/);
    expect(checkArguments(['-Command', '-'], true)).toBe("'-' was specified as the argument to -Command but standard input has not been redirected for this process.");
  });
});
