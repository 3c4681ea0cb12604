/**
 * iisreset-style arguments, translated on the raw argv before yargs sees them (yargs would read
 * `-stop` as the flags s, t, o, p).
 *
 * Facts (docs/sources.md §1.1, §1.2):
 * - the switches and their text: `iisreset /?` (§1.1); case-insensitive, `/` or `-` prefix: §1.1;
 * - no action switch (only /NOFORCE, /TIMEOUT, /REBOOTONERROR, a computer name): /RESTART (§1.2);
 * - forcing unless /NOFORCE; /TIMEOUT:val is in seconds, iisreset's defaults in lib/defaults.ts (§1.1, §1.2);
 * - /REBOOT: "IISrestart no longer supports computer restarts" on IIS 7+ (§1.2). iisctl refuses it
 *   (exit 2) rather than reboot a server on a switch its own tool dropped.
 * - /REBOOTONERROR maps to --reboot-on-error, which iisctl supports for restart only, and which
 *   needs --yes like every option that can reboot.
 *
 * Decision: `iisctl` with no argument at all prints help (exit 2); it never restarts IIS. Only
 * an argv with at least one iisreset switch is read as an iisreset command line.
 */
import { closeMatches } from '../closeMatches';
import { VALUE_OPTIONS } from './options';
import { DEFAULTS } from '../defaults';

/** iisctl's command words (lib/cli/main.ts registers one command for each; a test keeps them equal). */
export const COMMAND_WORDS: readonly string[] = ['status', 'stop', 'start', 'restart', 'enable', 'disable', 'pool', 'site', 'heal', 'rolling', 'events', 'recovery', 'backup', 'advise', 'sim'];

/** iisreset's switches as typed in its usage (docs/sources.md §1.1), for typo suggestions. */
const SWITCH_WORDS = ['/RESTART', '/START', '/STOP', '/REBOOT', '/REBOOTONERROR', '/NOFORCE', '/TIMEOUT:val', '/STATUS', '/ENABLE', '/DISABLE', '/?'];

/** A word written like a switch (`/restrat`, `-noforce`): not a path (no second separator). */
const SWITCH_LIKE = /^\/[a-z?][\w?-]*(:.*)?$/i;

export type Translation =
  | { kind: 'native'; argv: string[] }
  | { kind: 'translated'; argv: string[]; original: string[] }
  | { kind: 'usage' }
  | { kind: 'error'; message: string };

const ACTIONS = ['restart', 'start', 'stop', 'status', 'enable', 'disable', 'reboot'] as const;
type Action = (typeof ACTIONS)[number];
const SWITCH = /^[/-](restart|start|stop|status|enable|disable|reboot|rebootonerror|noforce|timeout(?::(.*))?|\?)$/i;

export function isIisresetSwitch(arg: string): boolean {
  return SWITCH.test(arg);
}

export function translateIisreset(argv: readonly string[]): Translation {
  if (!argv.some(isIisresetSwitch)) {
    // `iisctl /restrat`, `iisctl /help`: a switch typo, not a command (yargs would suggest "heal").
    const typo = bareWords(argv).find((a) => SWITCH_LIKE.test(a));
    return typo === undefined ? { kind: 'native', argv: [...argv] } : { kind: 'error', message: notASwitch(typo) };
  }
  // `iisctl restart /noforce`: an iisctl command word mixed with iisreset switches would be read
  // as iisreset's computer name (and tried over WinRM). Say which one command line was meant.
  const word = bareWords(argv).find((a) => COMMAND_WORDS.includes(a.toLowerCase()));
  if (word !== undefined) return { kind: 'error', message: mixedCommand(argv, word) };
  let action: Action | undefined;
  let noforce = false;
  let rebootOnError = false;
  let timeout: string | undefined;
  const rest: string[] = [];
  const computers: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = SWITCH.exec(arg);
    if (m) {
      const name = m[1].toLowerCase();
      if (name === '?') return { kind: 'usage' };
      if (name.startsWith('timeout')) {
        const value = m[2];
        if (value === undefined || value === '') return { kind: 'error', message: `${arg}: /TIMEOUT needs a value in seconds, e.g. /TIMEOUT:30.` };
        if (timeout !== undefined) return { kind: 'error', message: `/TIMEOUT is given twice.` };
        if (!/^\d+$/.test(value)) return { kind: 'error', message: `${arg}: /TIMEOUT takes a whole number of seconds, e.g. /TIMEOUT:30.` };
        timeout = value;
      } else if (name === 'noforce') {
        noforce = true;
      } else if (name === 'rebootonerror') {
        rebootOnError = true;
      } else {
        if (action !== undefined && action !== name) return { kind: 'error', message: `Conflicting switches /${action.toUpperCase()} and /${name.toUpperCase()}: give one action.` };
        action = name as Action;
      }
      continue;
    }
    if (arg.startsWith('-')) {
      // An iisctl option mixed in (e.g. --json, --log-file FILE): keep it and its value.
      rest.push(arg);
      const optionName = arg.replace(/^-+/, '').split('=')[0];
      if (!arg.includes('=') && VALUE_OPTIONS.has(optionName) && i + 1 < argv.length) rest.push(argv[++i]);
      continue;
    }
    if (arg.startsWith('/')) {
      // Not a switch of iisreset's (docs/sources.md §1.1): a typo must not become a computer name.
      return { kind: 'error', message: notASwitch(arg) };
    }
    // A bare word is iisreset's [computername] (docs/sources.md §1.1).
    computers.push(arg);
  }
  const act = action ?? 'restart';
  if (act === 'reboot') {
    return { kind: 'error', message: '/REBOOT is not supported: IIS 7 and later no longer support computer restarts from iisreset. Restart the computer with Restart-Computer or shutdown /r.' };
  }
  const changesServices = act === 'restart' || act === 'stop' || act === 'start';
  if (!changesServices) {
    const extra = [noforce && '/NOFORCE', timeout !== undefined && '/TIMEOUT', rebootOnError && '/REBOOTONERROR'].filter(Boolean);
    if (extra.length) return { kind: 'error', message: `${extra.join(', ')} cannot be combined with /${act.toUpperCase()}.` };
  }
  const out: string[] = [act];
  // iisreset forces unless /NOFORCE (docs/sources.md §1.1, §1.2); start has nothing to force.
  if ((act === 'restart' || act === 'stop') && !noforce) out.push('--force');
  if (timeout !== undefined) out.push('--timeout', timeout);
  if (rebootOnError) out.push('--reboot-on-error');
  for (const c of computers) out.push('--computer', c);
  out.push('--iisreset', ...rest);
  return { kind: 'translated', argv: out, original: [...argv] };
}

/** The words of an argv that are neither options nor option values. */
function bareWords(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') break;
    if (/^--?[a-z]/i.test(arg) && !isIisresetSwitch(arg)) {
      const optionName = arg.replace(/^-+/, '').split('=')[0];
      if (!arg.includes('=') && VALUE_OPTIONS.has(optionName)) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** `/restrat is not an iisreset switch. Did you mean /RESTART?` */
function notASwitch(arg: string): string {
  const timeoutTypo = /^\/timeout[=\s]?(\d+)$/i.exec(arg);
  if (timeoutTypo) return `${arg} is not an iisreset switch. Did you mean /TIMEOUT:${timeoutTypo[1]}?`;
  if (/^\/(help|h)$/i.test(arg)) return `${arg} is not an iisreset switch. Did you mean /? (iisreset's switches) or --help (iisctl's commands)?`;
  const word = arg.split(':')[0];
  const near = closeMatches(word, SWITCH_WORDS.map((s) => s.split(':')[0]));
  const option = /^\/[a-z][\w-]*$/i.test(arg) ? ` iisctl's own options are written --${arg.slice(1).toLowerCase()}.` : '';
  return `${arg} is not an iisreset switch.${near.length ? ` Did you mean ${near.join(' or ')}?` : option}`;
}

/** `iisctl restart /noforce`: the two ways to write it, with the other options left as typed. */
function mixedCommand(argv: readonly string[], word: string): string {
  const action = word.toLowerCase();
  const switches = argv.filter(isIisresetSwitch);
  if (!ACTIONS.includes(action as Action)) {
    return `"${word}" is an iisctl command; the iisreset switches ${switches.join(' ')} go with restart, stop and start only: leave them out.`;
  }
  const iisresetWay = [`/${action}`, ...switches.filter((a) => !new RegExp(`^[/-]${action}$`, 'i').test(a))];
  const native = translateIisreset(iisresetWay);
  const nativeWay = native.kind === 'translated' ? native.argv.filter((a) => a !== '--iisreset') : [action];
  return `"${word}" is an iisctl command and ${switches.join(' ')} ${switches.length > 1 ? 'are iisreset switches' : 'is an iisreset switch'} (mixed, the word would be taken as iisreset's computer name): write either iisctl ${nativeWay.join(' ')} or iisctl ${iisresetWay.join(' ')}.`;
}

/**
 * `iisctl /?`: iisreset's own usage text (docs/sources.md §1.1, verbatim lines without the trailing
 * spaces) with the iisctl command each switch runs.
 */
export function iisresetUsage(): string {
  return `
IISRESET.EXE switches, as understood by iisctl (case-insensitive, / or -):

Usage:
iisctl [computername] /SWITCH ...      (computername: iisctl --computer; several allowed)

    /RESTART            Stop and then restart all Internet services.
                          -> iisctl restart --force
    /START              Start all Internet services.
                          -> iisctl start
    /STOP               Stop all Internet services.
                          -> iisctl stop --force
    /REBOOT             Reboot the computer.
                          -> refused (exit 2): IIS 7+ no longer supports it
    /REBOOTONERROR      Reboot the computer if an error occurs when starting,
                        stopping, or restarting Internet services.
                          -> --reboot-on-error (restart only; needs --yes)
    /NOFORCE            Do not forcefully terminate Internet services if
                        attempting to stop them gracefully fails.
                          -> leaves out --force
    /TIMEOUT:val        Specify the timeout value ( in seconds ) to wait for
                        a successful stop of Internet services. On expiration
                        of this timeout the computer can be rebooted if
                        the /REBOOTONERROR parameter is specified.
                        The default value is ${DEFAULTS.restartStopTimeoutSeconds}s for restart, ${DEFAULTS.stopTimeoutSeconds}s for stop,
                        and 0s for reboot.
                          -> --timeout val
    /STATUS             Display the status of all Internet services.
                          -> iisctl status (printed the iisreset way)
    /ENABLE             Enable restarting of Internet Services
                        on the local system.
                          -> iisctl enable
    /DISABLE            Disable restarting of Internet Services
                        on the local system.
                          -> iisctl disable

No switch but /NOFORCE, /TIMEOUT or /REBOOTONERROR means /RESTART, as with iisreset.
Unlike iisreset, \`iisctl\` with no argument at all only prints help.
iisctl options (--json, --log-file, --simulate, ...) may be mixed in. See \`iisctl --help\`.
`;
}
