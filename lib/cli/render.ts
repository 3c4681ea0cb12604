/**
 * Everything the CLI writes. stdout carries the command's output only: human text, or with
 * --json exactly one JSON document; iisreset-style narration is stdout too, in human mode only.
 * stderr carries errors and the progress line
 * (only on a TTY; nothing animated otherwise). Logs go through winston, never through here.
 */

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  hasColors?: (env?: object) => boolean;
}

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  /** --color / --no-color; undefined: decide from the terminal and NO_COLOR. */
  color?: boolean;
  stdout?: Stream;
  stderr?: Stream;
  env?: NodeJS.ProcessEnv;
}

/** The Output whose live progress line is on the terminal now (at most one per process). */
let showingProgress: Output | undefined;

/** Clears the live progress line, if one is shown (before text written around Output, e.g. on Ctrl-C). */
export function clearLiveProgress(): void {
  showingProgress?.clearProgress();
}

const ANSI = { red: '31', green: '32', yellow: '33', cyan: '36', dim: '2', bold: '1' } as const;
export type Colour = keyof typeof ANSI;

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly colour: boolean;
  private readonly stdout: Stream;
  private readonly stderr: Stream;
  private progressShown = false;
  private jsonWritten = false;

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.quiet = options.quiet;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    const env = options.env ?? process.env;
    this.colour = !this.json && colourWanted(options.color, this.stdout, env);
  }

  /** A line of command output (stdout), human mode only. */
  line(text = ''): void {
    if (this.json) return;
    this.clearProgress();
    this.stdout.write(`${text}\n`);
  }

  /** Narration (iisreset's "Attempting stop..." lines): stdout in human mode, not with --quiet. */
  say(text: string): void {
    if (this.json || this.quiet) return;
    this.line(text);
  }

  /** An error or warning for a person (stderr), in every mode. */
  error(text: string): void {
    this.clearProgress();
    this.stderr.write(`${text}\n`);
  }

  /**
   * The one JSON document of this run: indented for a person at a terminal, one line otherwise,
   * so that runs appended to a file (`>> runs.jsonl` in a scheduled task) are JSON Lines.
   */
  document(value: unknown): void {
    if (this.jsonWritten) throw new Error('internal: a second JSON document');
    this.jsonWritten = true;
    this.clearProgress();
    this.stdout.write(`${this.stdout.isTTY ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`);
  }

  get wroteDocument(): boolean {
    return this.jsonWritten;
  }

  paint(text: string, colour: Colour): string {
    return this.colour ? `\u001b[${ANSI[colour]}m${text}\u001b[0m` : text;
  }

  /** A service, pool or site state word, coloured by meaning. */
  state(word: string): string {
    if (/^(Running|Started|enabled)$/i.test(word)) return this.paint(word, 'green');
    if (/^(Stopped|disabled)$/i.test(word)) return this.paint(word, 'red');
    if (/Pending|ing$/i.test(word)) return this.paint(word, 'yellow');
    return word;
  }

  /** The live progress line: stderr, only when stderr is a terminal and not --quiet. */
  progress(label: string, verb: string, pending: readonly string[], elapsedMs: number, timeoutMs: number): void {
    if (this.quiet || !this.stderr.isTTY || pending.length === 0) return;
    const text = `${label}: ${verb} ${pending.join(', ')}  ${duration(elapsedMs)} / ${duration(timeoutMs)}`;
    const width = Math.max(40, this.stderr.columns || 80) - 1;
    // Cut to the terminal's width (by code point): a wrapped line could not be cleared with \r.
    const chars = [...text];
    this.stderr.write(`\r\u001b[2K${chars.length > width ? chars.slice(0, width).join('') : text}`);
    this.progressShown = true;
    showingProgress = this;
  }

  clearProgress(): void {
    if (!this.progressShown) return;
    this.stderr.write('\r\u001b[2K');
    this.progressShown = false;
    if (showingProgress === this) showingProgress = undefined;
  }
}

/**
 * NO_COLOR turns colour off only when it is set to a non-empty value (https://no-color.org). Node's
 * own hasColors() treats any NO_COLOR, even an empty one, as "no colour", so it is asked with an
 * environment that leaves an empty NO_COLOR out.
 */
function colourWanted(flag: boolean | undefined, stdout: Stream, env: NodeJS.ProcessEnv): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (flag === true) return true;
  if (!stdout.isTTY) return false;
  const { NO_COLOR: _empty, ...rest } = env;
  return typeof stdout.hasColors === 'function' ? stdout.hasColors(rest) : env.TERM !== 'dumb';
}

/** Left-aligned columns, two spaces apart; `visible` ignores colour codes when measuring. */
export function table(headers: string[], rows: string[][]): string[] {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => visible(r[i] ?? '').length)));
  return all.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i] - visible(cell).length)))
      .join('  ')
      .trimEnd(),
  );
}

function visible(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex
}

/** 850 ms, 3.2 s, 2 min 5 s. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min${seconds ? ` ${seconds} s` : ''}`;
}

/** Local time, to the second: 2024-05-01 14:03:59. */
export function timestamp(value: Date | string): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
