/**
 * The stdin/stdout protocol of `powershell.exe -NoLogo -NoProfile -NonInteractive -NoExit -Command -`
 * as node-powershell drives it (docs/sources.md §P1.2, §P1.3, §P1.10, §P2.1):
 *
 * - stdin is read line by line, strictly in order: a running statement blocks every later line;
 * - `[Console]::Out.WriteLine("D")` / `[Console]::Error.WriteLine("D")` delimiter statements, one
 *   or more on a line joined by `;` (lib/powershell/processTransport.ts send), are echoed in order
 *   as `D` + LF (not CRLF: node-powershell's end detection misses a CRLF delimiter that arrives in
 *   one chunk, docs/sources.md §P1.3);
 * - like ConsoleHost's InputLoop, a line that is an incomplete statement switches to block mode:
 *   lines accumulate and run only at the next blank line. So a raw multi-line script hangs here
 *   exactly as it does on Windows, instead of being silently accepted;
 * - nothing is written to stderr but PowerShell error records;
 * - the process exits with 0 at stdin end and with 143 on SIGTERM (node-powershell treats both as a
 *   clean exit, docs/sources.md §P1.6), and with N on `exit N`.
 */

export interface LineResult {
  stdout: string;
  stderr: string;
  /** Set when the line ran `exit N`: the host ends with this code. */
  exitCode?: number;
}

export interface LineRunner {
  /** True when `source` is an unfinished statement that PowerShell would wait to complete. */
  isIncomplete(source: string): boolean;
  run(source: string): Promise<LineResult>;
}

export interface ProtocolIo {
  input: NodeJS.ReadableStream;
  writeOut(text: string): void;
  writeErr(text: string): void;
  exit(code: number): void;
}

const DELIMITER_STATEMENT = /\[Console\]::(Out|Error)\.WriteLine\("([0-9A-Za-z]+)"\)/g;
const DELIMITER_LINE = /^\[Console\]::(?:Out|Error)\.WriteLine\("[0-9A-Za-z]+"\)(?:;\[Console\]::(?:Out|Error)\.WriteLine\("[0-9A-Za-z]+"\))*$/;

export function serve(runner: LineRunner, io: ProtocolIo): void {
  const lines: string[] = [];
  let buffered = '';
  let busy = false;
  let ended = false;
  let block: string[] | undefined;

  const execute = async (source: string): Promise<boolean> => {
    const result = await runner.run(source);
    if (result.stdout) io.writeOut(result.stdout);
    if (result.stderr) io.writeErr(result.stderr);
    if (result.exitCode !== undefined) {
      io.exit(result.exitCode);
      return false;
    }
    return true;
  };

  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      while (lines.length > 0) {
        const line = lines.shift() as string;
        if (block) {
          if (line.trim() === '') {
            const source = block.join('\n');
            block = undefined;
            if (!(await execute(source))) return;
          } else {
            block.push(line);
          }
          continue;
        }
        if (DELIMITER_LINE.test(line)) {
          for (const d of line.matchAll(DELIMITER_STATEMENT)) (d[1] === 'Out' ? io.writeOut : io.writeErr)(`${d[2]}\n`);
          continue;
        }
        if (line.trim() === '') continue;
        if (runner.isIncomplete(line)) {
          block = [line];
          continue;
        }
        if (!(await execute(line))) return;
      }
      if (ended) io.exit(0);
    } finally {
      busy = false;
    }
  };

  io.input.setEncoding('utf8');
  io.input.on('data', (chunk: string) => {
    buffered += chunk;
    let i: number;
    while ((i = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, i).replace(/\r$/, ''));
      buffered = buffered.slice(i + 1);
    }
    void pump();
  });
  io.input.on('end', () => {
    ended = true;
    if (buffered) lines.push(buffered);
    buffered = '';
    void pump();
  });
}

/** Parses powershell.exe's own arguments; returns an error text when they are not `... -Command -`. */
export function checkArguments(argv: readonly string[], stdinIsTty: boolean): string | undefined {
  // Case-insensitive, with - or /, unique prefixes (-c, -com, /Command): docs/sources.md §P1.10.
  const index = argv.findIndex((a) => /^[-/]c(o(m(m(a(n(d)?)?)?)?)?)?$/i.test(a));
  if (index < 0 || argv[index + 1] !== '-') {
    return 'The simulated host only supports `-Command -` (commands on standard input), as node-powershell runs it.';
  }
  if (stdinIsTty) {
    // Real text from PowerShell (rannn505/child-shell#98).
    return "'-' was specified as the argument to -Command but standard input has not been redirected for this process.";
  }
  return undefined;
}
