#!/usr/bin/env node
/**
 * The simulated powershell.exe: `node host.js -NoLogo -NoProfile -NonInteractive -NoExit -Command -`.
 *
 * - arguments are checked like powershell.exe would for node-powershell's use (protocol.ts);
 * - scenario from $IISCTL_SIM_SCENARIO (name or path), state from $IISCTL_SIM_STATE (state.ts),
 *   engine from $IISCTL_SIM_ENGINE (engine.ts: the interpreter, or real pwsh running the lines);
 * - every executed line is counted (`noteHostCall`: the scenario's crash-on-Nth-call fault ends
 *   the process abruptly, before any output of that call) and logged (`recordCommand`, the
 *   envelope's script read back (envelope.ts fromSingleLine) so tests can read what really ran);
 * - the machine stays in memory; a line takes the state lock once and gives it back before any
 *   wait and when it ends, saving only what changed (state.ts, cmdlets/simhost.ts);
 * - stdout carries output, stderr only PowerShell error records; SIGTERM exits 143, stdin end 0;
 *   SIGINT (a terminal's Ctrl-C reaching the process group) is ignored.
 */
import { checkArguments, serve } from './protocol';
import { loadParser } from './parser';
import { isIncompleteSource } from './incomplete';
import { type SimStateOptions } from './state';
import { CRASH_EXIT_CODE, createHostEngine, executedText, runLine } from './transport';

export { CRASH_EXIT_CODE, executedText };
/** Exit code for unusable arguments (EX_USAGE). */
export const USAGE_EXIT_CODE = 64;

async function main(): Promise<void> {
  const problem = checkArguments(process.argv.slice(2), !!process.stdin.isTTY);
  if (problem) {
    process.stderr.write(problem + '\n');
    process.exit(USAGE_EXIT_CODE);
  }
  process.on('SIGTERM', () => process.exit(143));
  // A terminal's Ctrl-C goes to the whole POSIX process group, this simulated Windows process
  // included; iisctl handles it (stops waiting, reads the state back through this process), so the
  // simulated powershell.exe does not die of it. (node-powershell cannot spawn it detached.)
  process.on('SIGINT', () => undefined);
  const state: SimStateOptions = {};
  // The engine: $IISCTL_SIM_ENGINE (pwsh, interp, auto; lib/sim/engine.ts).
  const [parser, interp] = await Promise.all([loadParser(), createHostEngine(state, process.pid)]);
  // This process has its machine now: a state file deleted from here on is an error, not a new
  // machine; a corrupt or deleted one ends the process (any machine access, cmdlets included).
  state.requireExisting = true;
  state.onUnusable = die;
  serve(
    {
      isIncomplete: (source) => isIncompleteSource(parser, source),
      run: async (source) => {
        const result = await runLine(state, interp, source);
        if (result === 'crash') process.exit(CRASH_EXIT_CODE); // state.ts saves on exit
        return result;
      },
    },
    {
      input: process.stdin,
      writeOut: (t) => process.stdout.write(t),
      writeErr: (t) => process.stderr.write(t),
      exit: (code) => process.exit(code),
    },
  );
}

/** Start-up failures (corrupt state file, unknown scenario) and a state file gone bad later: say why on stderr, exit non-zero. */
function die(e: unknown): never {
  process.stderr.write(`iisctl simulated host: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}

void main().catch(die);
