/**
 * Every script text the library can generate, for the checks against real PowerShell: every
 * builder of lib/scripts (helpers/library-scripts.ts), every option that changes a script's text,
 * each builder that takes user text with plain and hostile input (helpers/text-builders.ts), the
 * envelope around a body, and the hand-written bodies of helpers/generated-scripts.ts.
 * A completeness test (real/parse-bind.test.ts) fails when a builder of lib/scripts is missing here.
 */
import { readPoolStates, requestPools, setAutoStart } from '../../lib/scripts/appPools';
import { EVENT_KINDS, readEvents } from '../../lib/scripts/events';
import { clearSuspendedRecovery, readRecovery, readSuspendedRecovery, saveSuspendedRecovery, writeRecovery } from '../../lib/scripts/recovery';
import { closeRemoteSessions, currentConnections, onComputer, parseRemoteTarget } from '../../lib/scripts/remote';
import { readIisServices } from '../../lib/scripts/services';
import { PoolSettingsChanges, readPoolSettings, SETTING_NAMES, writePoolSettings } from '../../lib/scripts/settings';
import { readSiteStates, requestSites, setServerAutoStart } from '../../lib/scripts/sites';
import { wrapScript } from '../../lib/powershell/envelope';
import { ps } from '../../lib/powershell/quote';
import { generatedBodies } from './generated-scripts';
import { hostileCorpus } from './hostile';
import { libraryCommands } from './library-scripts';
import { DEFAULT_SETTINGS_FOR_TEST } from './settings';
import { TEXT_BUILDERS } from './text-builders';

export interface GeneratedScript {
  name: string;
  text: string;
}

/** Non-default values for every pool setting (each kind renders its value differently). */
const CHANGED_SETTINGS: PoolSettingsChanges = {
  ...DEFAULT_SETTINGS_FOR_TEST,
  recycleTime: '00:00:00',
  recycleSchedule: ['03:00', '15:30'],
  logEventOnRecycle: ['Time', 'Memory'],
  cpuLimitPercent: 80,
  cpuAction: 'Throttle',
  idleTimeoutAction: 'Suspend',
  startMode: 'AlwaysRunning',
  autoStart: false,
};

/** How many corpus strings per text builder go through parse and bind (all of them are executed). */
const HOSTILE_SAMPLE = 4;

export function allScripts(): GeneratedScript[] {
  const out: GeneratedScript[] = [];
  for (const c of libraryCommands()) out.push({ name: c.name, text: c.command.script.text });
  // Options that change the text.
  for (const kind of EVENT_KINDS) out.push({ name: `events: ${kind} only`, text: readEvents({ kinds: [kind], since: new Date(0), until: new Date(), max: 10 }).script.text });
  out.push({ name: 'events: defaults', text: readEvents().script.text });
  out.push({ name: 'pools: autoStart true', text: setAutoStart(['DefaultAppPool'], true).script.text });
  out.push({ name: 'pools: states (one)', text: readPoolStates(['DefaultAppPool']).script.text });
  for (const action of ['start', 'stop', 'recycle'] as const) out.push({ name: `pools: ${action} two`, text: requestPools(action, ['A', 'B']).script.text });
  out.push({ name: 'sites: serverAutoStart false', text: setServerAutoStart(['Default Web Site'], false).script.text });
  out.push({ name: 'sites: states (two)', text: readSiteStates(['A', 'B']).script.text });
  out.push({ name: 'sites: start two', text: requestSites('start', ['A', 'B']).script.text });
  out.push({ name: 'recovery: read one', text: readRecovery(['W3SVC']).script.text });
  out.push({ name: 'recovery: write none', text: writeRecovery('WAS', { actions: [{ type: 'none', delayMs: 0 }], resetSeconds: 0 }).script.text });
  out.push({ name: 'recovery: write no actions', text: writeRecovery('IISADMIN', { actions: [], resetSeconds: 60 }).script.text });
  out.push({ name: 'recovery: write three restarts', text: writeRecovery('W3SVC', { actions: [1, 2, 3].map(() => ({ type: 'restart' as const, delayMs: 60000 })), resetSeconds: 86400 }).script.text });
  out.push({ name: 'recovery: save suspended', text: saveSuspendedRecovery({ service: 'W3SVC', exists: true, automaticRestart: true, resetSeconds: 86400, actions: [{ type: 'restart', delayMs: 60000 }] }).script.text });
  out.push({ name: 'recovery: read suspended', text: readSuspendedRecovery().script.text });
  out.push({ name: 'recovery: clear suspended', text: clearSuspendedRecovery('WAS').script.text });
  for (const key of SETTING_NAMES) {
    out.push({ name: `settings: write ${key}`, text: writePoolSettings('DefaultAppPool', { [key]: CHANGED_SETTINGS[key] }).script.text });
  }
  out.push({ name: 'settings: write defaults', text: writePoolSettings("Pool 'q'", DEFAULT_SETTINGS_FOR_TEST as PoolSettingsChanges).script.text });
  out.push({ name: 'settings: read (double-quoted XPath)', text: readPoolSettings('DefaultAppPool').script.text });
  out.push({ name: 'counters: total', text: currentConnections().script.text });
  out.push({ name: 'remote: close sessions on a computer', text: onComputer(parseRemoteTarget('WEB03'), closeRemoteSessions()).script.text });
  out.push({ name: 'remote: credential, no remote target', text: onComputer(parseRemoteTarget(' web04 ', { credential: { userName: 'ann@contoso.com', password: 'x' } }), readIisServices()).script.text });
  out.push({ name: 'remote: credential file', text: onComputer(parseRemoteTarget('WEB04', { credentialFile: "C:\\tools\\it's [a] $cred.xml" }), readIisServices()).script.text });
  // Plain and hostile user text through every builder that takes it.
  const corpus = hostileCorpus();
  const step = Math.floor(corpus.length / HOSTILE_SAMPLE);
  for (const b of TEXT_BUILDERS) {
    out.push({ name: `${b.name} plain`, text: b.build('Plain Name 1').script.text });
    for (let i = 0; i < HOSTILE_SAMPLE; i++) {
      try {
        out.push({ name: `${b.name} hostile #${i * step}`, text: b.build(corpus[i * step]).script.text });
      } catch {
        // refused before anything is built (INVALID_ARGUMENT; property/builders.test.ts checks the code)
      }
    }
  }
  // The envelope around a body, and the session's own scripts as they run.
  out.push({ name: 'envelope', text: wrapScript(ps`Get-Service -Name ${'W3SVC'}`).script });
  for (const b of generatedBodies) out.push({ name: `body: ${b.name}`, text: b.body.text });
  return out;
}
