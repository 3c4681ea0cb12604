/**
 * Every script the library's command builders generate, with representative (and hostile)
 * arguments. A builder added to lib/scripts belongs here, so that its script is checked for
 * syntax and run against the simulated host.
 */
import type { PsCommand } from '../../lib/scripts/command';
import { readAppPools, readPoolStates, requestPools, setAutoStart, waitForPools } from '../../lib/scripts/appPools';
import { EVENT_KINDS, readEvents, writeAuditEvent } from '../../lib/scripts/events';
import { createBackup, listBackups, restoreBackup } from '../../lib/scripts/backups';
import { killProcesses, restartComputer } from '../../lib/scripts/processes';
import { readRecovery, writeRecovery } from '../../lib/scripts/recovery';
import { readPoolSettings, writePoolSettings } from '../../lib/scripts/settings';
import { readAdviseEvents } from '../../lib/scripts/settings-advise';
import { closeRemoteSessions, currentConnections, listRemoteSessions, onComputer, parseRemoteTarget } from '../../lib/scripts/remote';
import { readIisServices, requestServiceStart, requestServiceStop, waitForServices } from '../../lib/scripts/services';
import { readSites, readSiteStates, requestSites, setServerAutoStart, waitForSites } from '../../lib/scripts/sites';
import { disableRestarts, enableRestarts, readToggle } from '../../lib/scripts/toggle';
import { acquireLease, acquireLock, readLock, releaseLease, releaseLock, renewLease } from '../../lib/scripts/lock';
import { batch } from '../../lib/scripts/batch';
import { readSuspendedRecovery } from '../../lib/scripts/recovery';

const hostile = "Pool 'x'; Stop-Computer -Force; $(whoami) `n \u2019 [*]";
const lockParams = { operation: hostile, user: hostile, clientProcessId: 4242, clientComputer: hostile, token: "t'k" };

export function libraryCommands(): Array<{ name: string; command: PsCommand<unknown> }> {
  const list: Array<[string, PsCommand<unknown>]> = [
    ['services: read', readIisServices()],
    ['services: stop', requestServiceStop(['W3SVC', 'WAS'])],
    ['services: start', requestServiceStart(['WAS', 'W3SVC'])],
    ['services: wait until Running (start: a failed start ends it)', waitForServices(['WAS', 'W3SVC'], 'Running', { waitMs: 300, intervalMs: 100 }, { pending: 'StartPending', failed: 'Stopped', seen: ['WAS'] })],
    ['services: wait until Stopped (one read)', waitForServices(['W3SVC', hostile], 'Stopped', { waitMs: 0, intervalMs: 100 })],
    ['toggle: read', readToggle()],
    ['toggle: disable', disableRestarts(hostile)],
    ['toggle: enable', enableRestarts()],
    ['events: read all', readEvents({ since: new Date(Date.now() - 3_600_000), until: new Date(), max: 50, kinds: EVENT_KINDS })],
    ['events: audit only', readEvents({ kinds: ['audit'] })],
    ['events: audit write', writeAuditEvent({ action: 'restart', user: hostile, reason: hostile, outcome: 'succeeded' })],
    ['processes: kill', killProcesses([4242, 4343])],
    ['configuration: backup', createBackup('iisctl-2026-11-21T06-00-00-000Z')],
    ['configuration: list backups', listBackups()],
    ['configuration: restore', restoreBackup('iisctl-2026-11-21T06-00-00-000Z')],
    ['settings: read', readPoolSettings("O'Brien ’ pool")],
    ['settings: write', writePoolSettings('DefaultAppPool', { rapidFailProtection: true, rapidFailMaxCrashes: 5, cpuLimitPercent: 80, cpuAction: 'KillW3wp' })],
    ['recovery: read', readRecovery()],
    ['recovery: write', writeRecovery('W3SVC', { actions: [{ type: 'restart', delayMs: 60000 }], resetSeconds: 86400 })],
    ['advise: events', readAdviseEvents(new Date(Date.now() - 7 * 86_400_000))],
    ['remote: sessions', listRemoteSessions()],
    ['remote: close sessions', closeRemoteSessions()],
    ['counters: current connections', currentConnections('Default Web Site')],
    ['remote: with credential', onComputer(parseRemoteTarget('WEB02', { credential: { userName: 'CONTOSO\\ann', password: "p'ss $(x)" } }), readIisServices())],
    ['remote: with credential file', onComputer(parseRemoteTarget('WEB02', { credentialFile: 'C:\\tools\\deploy.cred.xml' }), readIisServices())],
    ['remote: read services', onComputer(parseRemoteTarget('WEB02'), readIisServices())],
    // The operation frame's round trips (lib/control/operation.ts), and status: several commands in one script.
    ['batch: a request, then the first slice of its wait (untilFailure)', batch({ first: requestServiceStop(['W3SVC']), then: waitForServices(['W3SVC', hostile], 'Stopped', { waitMs: 300, intervalMs: 100 }) }, undefined, { untilFailure: true })],
    ['batch: status', batch({ services: readIisServices(), toggle: readToggle(), lock: readLock(), recovery: readRecovery() })],
    ['batch: before an operation', batch({ toggle: readToggle(), snapshot: readIisServices(), suspended: readSuspendedRecovery() })],
    ['batch: after an operation', batch({ after: readIisServices(), audit: writeAuditEvent({ action: 'restart', user: hostile, reason: hostile, outcome: 'failed', detail: hostile }), events: readEvents({ since: new Date(Date.now() - 60_000), serviceDisplayNames: ['World Wide Web Publishing Service'] }) })],
    ['batch: before a pool operation, remote', onComputer(parseRemoteTarget('WEB02'), batch({ toggle: readToggle(), inventory: readAppPools() }))],
    ['lock: acquire (held)', acquireLock({ ...lockParams, waitMs: 100 })],
    ['lock: read (held)', readLock()],
    ['lock: release (held)', releaseLock({ token: lockParams.token })],
    ['lock: read (free)', readLock()],
    ['lock: acquire lease', onComputer(parseRemoteTarget('WEB02'), acquireLease({ ...lockParams, waitMs: 100, leaseSeconds: 60 }))],
    ['lock: renew lease', onComputer(parseRemoteTarget('WEB02'), renewLease({ token: lockParams.token, leaseSeconds: 60 }))],
    ['lock: read lease', onComputer(parseRemoteTarget('WEB02'), readLock())],
    ['lock: release lease', onComputer(parseRemoteTarget('WEB02'), releaseLease({ token: lockParams.token }))],
    ['pools: read', readAppPools()],
    ['pools: states', readPoolStates(['DefaultAppPool', hostile])],
    ['pools: wait (recycle, stop)', waitForPools([{ name: 'DefaultAppPool', state: 'Started', noWorkers: false, gone: [4242], needWorker: true }, { name: hostile, state: 'Stopped', noWorkers: true, gone: [], needWorker: false }], { waitMs: 300, intervalMs: 100 })],
    ['pools: recycle', requestPools('recycle', ['DefaultAppPool', hostile])],
    ['pools: stop', requestPools('stop', ['DefaultAppPool'])],
    ['pools: start', requestPools('start', ['DefaultAppPool'])],
    ['pools: autoStart', setAutoStart(['DefaultAppPool', hostile], false)],
    ['sites: read', readSites()],
    ['sites: states', readSiteStates(['Default Web Site', hostile])],
    ['sites: wait until Started', waitForSites(['Default Web Site', hostile], 'Started', { waitMs: 300, intervalMs: 100 })],
    ['sites: stop', requestSites('stop', ['Default Web Site'])],
    ['sites: start', requestSites('start', ['Default Web Site'])],
    ['sites: serverAutoStart', setServerAutoStart(['Default Web Site', hostile], true)],
    // Last: it reboots the machine.
    ['computer: restart', restartComputer()],
  ];
  return list.map(([name, command]) => ({ name, command }));
}
