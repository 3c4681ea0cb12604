/**
 * iisreset-style arguments, translated on the raw argv before yargs sees them (yargs would read
 * `-stop` as the flags s, t, o, p).
 *
 * Facts (docs/sources.md §1.1, §1.2):
 * - the switches and their text: `iisreset /?` (§1.1); case-insensitive, `/` or `-` prefix: §1.1;
 * - no action switch (only /NOFORCE, /TIMEOUT, /REBOOTONERROR, a computer name): /RESTART (§1.2);
 * - forcing unless /NOFORCE; /TIMEOUT:val is in seconds, default 20 s restart, 60 s stop (§1.1, §1.2);
 * - /REBOOT: "IISrestart no longer supports computer restarts" on IIS 7+ (§1.2). iisctl refuses it
 *   (exit 2) rather than reboot a server on a switch its own tool dropped.
 * - /REBOOTONERROR maps to --reboot-on-error, which iisctl supports for restart only, and which
 *   needs --yes like every option that can reboot.
 *
 * Decision: `iisctl` with no argument at all prints help (exit 2); it never restarts IIS. Only
 * an argv with at least one iisreset switch is read as an iisreset command line.
 */
import { VALUE_OPTIONS } from './options';

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
  if (!argv.some(isIisresetSwitch)) return { kind: 'native', argv: [...argv] };
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
      const timeoutTypo = /^\/timeout[=\s]?(\d+)$/i.exec(arg);
      const hint = timeoutTypo ? ` Did you mean /TIMEOUT:${timeoutTypo[1]}?` : /^\/[a-z][\w-]*$/i.test(arg) ? ` iisctl's own options are written --${arg.slice(1).toLowerCase()}.` : '';
      return { kind: 'error', message: `${arg} is not an iisreset switch.${hint}` };
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
                        The default value is 20s for restart, 60s for stop,
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
