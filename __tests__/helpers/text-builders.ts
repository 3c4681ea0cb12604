/**
 * Every command builder that puts user text into a script (pool, site, service and computer names,
 * reason text, audit fields, lock details, credentials, backup names, counter sites), with how the
 * text must arrive. One list for the tree-sitter property test (property/builders.test.ts) and the
 * real-PowerShell execution of the hostile corpus (real/hostile-exec.test.ts): a builder that takes
 * user text belongs here.
 */
import type { PsCommand } from '../../lib/scripts/command';
import { readPoolStates, requestPools, setAutoStart, waitForPools } from '../../lib/scripts/appPools';
import { createBackup, restoreBackup } from '../../lib/scripts/backups';
import { writeAuditEvent } from '../../lib/scripts/events';
import { acquireLease, acquireLock, releaseLease, releaseLock, renewLease } from '../../lib/scripts/lock';
import { currentConnections, onComputer, parseRemoteTarget } from '../../lib/scripts/remote';
import { readIisServices, requestServiceStart, requestServiceStop, waitForServices } from '../../lib/scripts/services';
import { readPoolSettings, writePoolSettings, xpathLiteral } from '../../lib/scripts/settings';
import { readSiteStates, requestSites, setServerAutoStart, waitForSites } from '../../lib/scripts/sites';
import { disableRestarts } from '../../lib/scripts/toggle';

/**
 * exact: a literal of the script is the input; trimmed: the input without surrounding white space
 * (computer and user names); embedded: a literal contains the input (composed messages, paths).
 */
export type Arrival = 'exact' | 'trimmed' | 'embedded';

export interface TextBuilder {
  name: string;
  build(s: string): PsCommand<unknown>;
  arrival: Arrival;
  /**
   * The text that stands for the input inside a value the script composes around it, when that is
   * not the input itself (an XPath literal picks its quote by content). Default: the input, trimmed
   * for 'trimmed'.
   */
  form?(s: string): string;
}

const lockParams = (s: string) => ({ operation: s, user: s, clientComputer: s, clientProcessId: 1234, token: s, waitMs: 0 });

export const TEXT_BUILDERS: readonly TextBuilder[] = [
  { name: 'requestServiceStop(names)', build: (s) => requestServiceStop(['W3SVC', s]), arrival: 'exact' },
  { name: 'requestServiceStart(names)', build: (s) => requestServiceStart([s]), arrival: 'exact' },
  { name: 'waitForServices(names)', build: (s) => waitForServices([s], 'Stopped', { waitMs: 0, intervalMs: 10 }, { pending: 'StartPending', failed: 'Stopped', seen: [s] }), arrival: 'exact' },
  { name: 'disableRestarts(reason)', build: (s) => disableRestarts(s), arrival: 'exact' },
  { name: 'writeAuditEvent(user, reason, detail)', build: (s) => writeAuditEvent({ action: 'restart', user: s, reason: s, outcome: 'failed', detail: `detail ${s}` }), arrival: 'embedded' },
  { name: 'readPoolStates(names)', build: (s) => readPoolStates(['DefaultAppPool', s]), arrival: 'exact' },
  { name: 'waitForPools(names)', build: (s) => waitForPools([{ name: s, state: 'Stopped', noWorkers: true, gone: [], needWorker: false }], { waitMs: 0, intervalMs: 10 }), arrival: 'exact' },
  { name: 'requestPools(recycle, names)', build: (s) => requestPools('recycle', [s]), arrival: 'exact' },
  { name: 'requestPools(stop, names)', build: (s) => requestPools('stop', [s, 'Other']), arrival: 'exact' },
  { name: 'requestPools(start, names)', build: (s) => requestPools('start', [s]), arrival: 'exact' },
  { name: 'setAutoStart(names)', build: (s) => setAutoStart([s], false), arrival: 'exact' },
  { name: 'readSiteStates(names)', build: (s) => readSiteStates([s]), arrival: 'exact' },
  { name: 'waitForSites(names)', build: (s) => waitForSites([s], 'Stopped', { waitMs: 0, intervalMs: 10 }), arrival: 'exact' },
  { name: 'requestSites(stop, names)', build: (s) => requestSites('stop', [s]), arrival: 'exact' },
  { name: 'requestSites(start, names)', build: (s) => requestSites('start', [s]), arrival: 'exact' },
  { name: 'setServerAutoStart(names)', build: (s) => setServerAutoStart([s], true), arrival: 'exact' },
  { name: 'createBackup(name)', build: (s) => createBackup(s), arrival: 'exact' },
  { name: 'restoreBackup(name)', build: (s) => restoreBackup(s), arrival: 'exact' },
  { name: 'readPoolSettings(name)', build: (s) => readPoolSettings(s), arrival: 'embedded', form: xpathLiteral },
  { name: 'writePoolSettings(name)', build: (s) => writePoolSettings(s, { autoStart: false }), arrival: 'embedded', form: xpathLiteral },
  { name: 'currentConnections(site)', build: (s) => currentConnections(s), arrival: 'embedded' },
  { name: 'onComputer(computer name)', build: (s) => onComputer(parseRemoteTarget(s), readIisServices()), arrival: 'trimmed' },
  { name: 'remoteCredential(user name)', build: (s) => onComputer(parseRemoteTarget('WEB02', { credential: { userName: s, password: 'pw' } }), readIisServices()), arrival: 'trimmed' },
  // The password is no script text: it travels in the PowerShell process's environment (property/secrets.test.ts).
  // The path of a credential file is: it reaches Import-Clixml -LiteralPath and the messages about it.
  { name: 'remoteCredentialFile(path)', build: (s) => onComputer(parseRemoteTarget('WEB02', { credentialFile: s }), readIisServices()), arrival: 'exact' },
  { name: 'acquireLock(operation, user, computer, token)', build: (s) => acquireLock(lockParams(s)), arrival: 'exact' },
  { name: 'acquireLease(operation, user, computer, token)', build: (s) => acquireLease({ ...lockParams(s), leaseSeconds: 120 }), arrival: 'exact' },
  { name: 'renewLease(token)', build: (s) => renewLease({ token: s, leaseSeconds: 60 }), arrival: 'exact' },
  { name: 'releaseLease(token)', build: (s) => releaseLease({ token: s }), arrival: 'exact' },
  { name: 'releaseLock(token)', build: (s) => releaseLock({ token: s }), arrival: 'exact' },
];

/** The text that stands for `s` in the values the host receives (see TextBuilder.form). */
export function formOf(b: TextBuilder, s: string): string {
  if (b.form) return b.form(s);
  return b.arrival === 'trimmed' ? s.trim() : s;
}
