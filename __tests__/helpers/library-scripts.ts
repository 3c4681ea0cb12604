/**
 * Every script the library's command builders generate, with representative (and hostile)
 * arguments. A builder added to lib/commands belongs here, so that its script is checked for
 * syntax and run against the simulated host.
 */
import type { PsCommand } from '../../lib/commands/command';
import { readAppPools, readPoolStates, requestPools, setAutoStart } from '../../lib/commands/appPools';
import { EVENT_KINDS, readEvents, writeAuditEvent } from '../../lib/commands/events';
import { backupConfiguration, killProcesses, restartComputer } from '../../lib/commands/processes';
import { onComputer } from '../../lib/commands/remote';
import { readIisServices, requestServiceStart, requestServiceStop } from '../../lib/commands/services';
import { readSites, readSiteStates, requestSites, setServerAutoStart } from '../../lib/commands/sites';
import { disableRestarts, enableRestarts, readToggle } from '../../lib/commands/toggle';

const hostile = "Pool 'x'; Stop-Computer -Force; $(whoami) `n \u2019 [*]";

export function libraryCommands(): Array<{ name: string; command: PsCommand<unknown> }> {
  const list: Array<[string, PsCommand<unknown>]> = [
    ['services: read', readIisServices()],
    ['services: stop', requestServiceStop(['W3SVC', 'WAS'])],
    ['services: start', requestServiceStart(['WAS', 'W3SVC'])],
    ['toggle: read', readToggle()],
    ['toggle: disable', disableRestarts(hostile)],
    ['toggle: enable', enableRestarts()],
    ['events: read all', readEvents({ since: new Date(Date.now() - 3_600_000), until: new Date(), max: 50, kinds: EVENT_KINDS })],
    ['events: audit only', readEvents({ kinds: ['audit'] })],
    ['events: audit write', writeAuditEvent({ action: 'restart', user: hostile, reason: hostile, outcome: 'succeeded' })],
    ['processes: kill', killProcesses([4242, 4343])],
    ['configuration: backup', backupConfiguration('iisctl-2026-11-21T06-00-00-000Z')],
    ['remote: read services', onComputer('WEB02', readIisServices())],
    ['pools: read', readAppPools()],
    ['pools: states', readPoolStates(['DefaultAppPool', hostile])],
    ['pools: recycle', requestPools('recycle', ['DefaultAppPool', hostile])],
    ['pools: stop', requestPools('stop', ['DefaultAppPool'])],
    ['pools: start', requestPools('start', ['DefaultAppPool'])],
    ['pools: autoStart', setAutoStart(['DefaultAppPool', hostile], false)],
    ['sites: read', readSites()],
    ['sites: states', readSiteStates(['Default Web Site', hostile])],
    ['sites: stop', requestSites('stop', ['Default Web Site'])],
    ['sites: start', requestSites('start', ['Default Web Site'])],
    ['sites: serverAutoStart', setServerAutoStart(['Default Web Site', hostile], true)],
    // Last: it reboots the machine.
    ['computer: restart', restartComputer()],
  ];
  return list.map(([name, command]) => ({ name, command }));
}
