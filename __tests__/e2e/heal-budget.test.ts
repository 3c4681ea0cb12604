/**
 * A heal rung's budget bounds the whole rung: in the restart-iis rungs the stop gets half of it and
 * the IIS restart's start phase what the stop left, not the start's own default
 * (DEFAULTS.startTimeoutSeconds), so `--timeout` bounds heal.
 */
import type { HealResult } from '../../lib/control/heal';
import type { IisctlError } from '../../lib/errors';
import { DEFAULTS } from '../../lib/defaults';
import { closeClients, failure, scenarioFile, service, inProcessClient } from '../helpers/sim';

afterEach(closeClients);

it("the restart-iis rung's start phase times out within the rung's budget", async () => {
  // W3SVC stays StartPending for ten minutes once started: only a deadline ends the start phase.
  const iis = await inProcessClient(scenarioFile('fast', (s) => {
    service(s, 'W3SVC').startMs = 600_000;
  }));
  // The stop gets half of it: room for a slow shared machine to stop the fast scenario's services.
  const budget = 6;
  expect(budget).toBeLessThan(DEFAULTS.startTimeoutSeconds);
  const e = await failure(iis.heal('DefaultAppPool', { timeoutSeconds: 0.5, rungTimeoutSeconds: { 'restart-iis': budget }, healthy: () => false }));
  expect(e.code).toBe('FAILED');
  const rung = (e as IisctlError<HealResult>).operation!.rungs.find((r) => r.rung === 'restart-iis')!;
  expect(rung).toMatchObject({ outcome: 'failed', errorCode: 'TIMEOUT' });
  // The deadline the start phase had, as its TIMEOUT names it.
  const startDeadline = /Starting IIS timed out after ([\d.]+) s/.exec(rung.detail ?? '');
  expect(startDeadline).not.toBeNull();
  expect(Number(startDeadline![1])).toBeLessThanOrEqual(budget);
});
