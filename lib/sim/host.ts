#!/usr/bin/env node
/**
 * The simulated powershell.exe: `node host.js -NoLogo -NoProfile -NonInteractive -NoExit -Command -`.
 *
 * - arguments are checked like powershell.exe would for node-powershell's use (protocol.ts);
 * - scenario from $IISCTL_SIM_SCENARIO (name or path), state from $IISCTL_SIM_STATE (state.ts);
 * - every executed line is counted (`noteHostCall`: the scenario's crash-on-Nth-call fault ends
 *   the process abruptly, before any output of that call) and logged (`recordCommand`, the
 *   envelope's script read back (envelope.ts fromSingleLine) so tests can read what really ran);
 * - the machine stays in memory; a line takes the state lock once and gives it back before any
 *   wait and when it ends, saving only what changed (state.ts, cmdlets/simhost.ts);
 * - stdout carries output, stderr only PowerShell error records; SIGTERM exits 143, stdin end 0;
 *   SIGINT (a terminal's Ctrl-C reaching the process group) is ignored.
 */
import { fromSingleLine } from '../powershell/envelope';
import { checkArguments, serve } from './protocol';
import { loadParser } from './parser';
import { isIncompleteSource } from './incomplete';
import { createSimInterpreter, SimHost } from './cmdlets/index';
import { holdMachine, withMachine, type SimStateOptions } from './state';

/** Exit code of a crashed host (any non-zero, non-143 code is a crash for node-powershell). */
export const CRASH_EXIT_CODE = 255;
/** Exit code for unusable arguments (EX_USAGE). */
export const USAGE_EXIT_CODE = 64;

/** The script a line really runs: the envelope's script (its wire format is defined once, in envelope.ts), anything else as is. */
export function executedText(line: string): string {
  return fromSingleLine(line) ?? line;
}

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
  const [parser, who] = await Promise.all([loadParser(), withMachine(state, (m) => ({ computerName: m.name, account: m.user.name }))]);
  const { computerName, account } = who;
  // This process has its machine now: a state file deleted from here on is an error, not a new
  // machine; a corrupt or deleted one ends the process (any machine access, cmdlets included).
  state.requireExisting = true;
  state.onUnusable = die;
  // The scenario's account is DOMAIN\user; .NET's Environment splits it into UserDomainName and UserName.
  const slash = account.indexOf('\\');
  const interp = createSimInterpreter({
    host: new SimHost(state),
    computerName,
    userName: slash >= 0 ? account.slice(slash + 1) : account,
    userDomainName: slash >= 0 ? account.slice(0, slash) : computerName,
    processId: process.pid,
  });
  serve(
    {
      isIncomplete: (source) => isIncompleteSource(parser, source),
      // One lock and at most one write per line (the lock is given back before any wait); saved
      // before the output goes out, so whoever reads the state after the answer sees this line's effects.
      run: (source) =>
        holdMachine(state, async () => {
          const crash = await withMachine(state, (_m, s) => {
            s.world.recordCommand(executedText(source));
            return s.world.noteHostCall();
          });
          if (crash) process.exit(CRASH_EXIT_CODE); // state.ts saves on exit
          return interp.runLine(source);
        }),
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
