/**
 * The CLI's --computer hosts go through the many-host layer (lib/fleet): Ctrl-C during the first
 * host of a one-after-another restart leaves the next host untouched (it is never started, not
 * started with a cancelled signal), and names of one machine are refused before anything runs.
 */
import { changedScenario, inProcessMachine, parseOneDocument, SimMachine } from '../helpers/cli';
import { scenarioFile } from '../helpers/sim';
import { commandLog, hungW3svc, until, w3svcHung } from './faults-helpers';
import { auditMessages, startCli } from './interrupt-helpers';

jest.setTimeout(180_000);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

it('Ctrl-C during WEB01 of `-c WEB01 -c WEB02 restart`: WEB01 ends CANCELLED with its state read back, WEB02 is never started', async () => {
  const machine = new SimMachine(changedScenario('farm', (s) => hungW3svc(s, ['WEB01'])));
  const run = startCli([`--simulate=${machine.scenario}`, '-c', 'WEB01', '-c', 'WEB02', 'restart', '--json'], machine.env());
  await until(() => w3svcHung(machine.stateFile, 'WEB01'), 60_000, 'WEB01 to be stopping W3SVC');
  run.child.kill('SIGINT');
  const done = await run.done;
  expect(done.code).toBe(130);
  const doc = parseOneDocument(done.stdout);
  expect(doc.hosts.map((h: Json) => [h.host, h.ok, h.error.code])).toEqual([
    ['WEB01', false, 'CANCELLED'],
    ['WEB02', false, 'CANCELLED'],
  ]);
  expect(doc.hosts[0].error.message).toMatch(/Left: .*W3SVC StopPending/);
  expect(doc.hosts[1].error.message).toBe('WEB02 was not started: the run was cancelled.');
  expect(commandLog(machine.stateFile, 'WEB02')).toEqual([]);
  expect(auditMessages(machine.stateFile)).toEqual([expect.stringMatching(/^iisctl restart failed;.*Interrupted/)]);
});

it.each([
  [['-c', 'localhost', '-c', '.', 'status'], 'The hosts localhost and . are the same computer.'],
  [['-c', 'WEB02,web02.', 'restart'], 'The hosts WEB02 and web02. are the same computer.'],
  [['rolling', 'restart', '-c', 'WEB02', '-c', 'web02'], 'The host web02 is given twice.'],
])('%j: one machine named twice is exit 2 before anything runs', async (args, message) => {
  // In process on virtual time: an exit code and a message, nothing only a process shows.
  const machine = inProcessMachine(scenarioFile('farm'), { clock: 'virtual' });
  const r = await machine.run(args);
  expect(r.code).toBe(2);
  expect(r.stderr.split('\n')[0]).toBe(`iisctl: --computer: ${message}`);
  expect(commandLog(machine.stateFile)).toEqual([]);
});
