/**
 * `iisctl sim reset`: put the simulated machine back to its scenario (lib/sim/state.ts
 * resetState). The scenario is --simulate=FILE|NAME, else IISCTL_SIM_SCENARIO, else the one the
 * state file holds, else "default"; the
 * state file is IISCTL_SIM_STATE, else the simulator's per-user default.
 */
import { Runtime, UsageError } from '../context';
import { EXIT } from '../exitCodes';
import { CliCommand, handler } from '../handler';
import { loadSimulator } from '../../simulator';
import { simulatedMachine, simulatorEngineLine } from '../io';

export const SIM_RESET_USAGE = 'iisctl sim reset|serve [--simulate=scenario.json] [--dry-run] [--for S]';

interface SimArgs {
  action?: 'reset' | 'serve';
  for?: number;
}

export const simCommand = (runtime: Runtime): CliCommand => ({
  builder: (y) =>
    y
      .positional('action', { choices: ['reset', 'serve'] as const, describe: 'reset: back to the scenario, clock and history included; serve: HTTP listeners for every simulated site' })
      .option('for', { type: 'number', requiresArg: true, describe: 'serve: stop after this many seconds (default: until Ctrl+C)' }),
  run: handler<SimArgs>(runtime, (a) => `sim ${a.action ?? 'reset'}`, SIM_RESET_USAGE, async (ctx, args) => {
    if (args.computer.length) throw new UsageError('sim reset|serve works on the whole simulated world; --computer does not apply.', SIM_RESET_USAGE);
    if (args.action === 'serve') return serve(ctx, args.for);
    // Loaded here so that no other command pays for the simulator's modules.
    const { resetState, stateFilePath, peekState, scenarioNameOf, loadScenario, listBundledScenarios } = loadSimulator();
    const { stateFile } = simulatedMachine(ctx.io);
    // Unless another scenario is named, the machine is reset to the scenario its state file holds.
    let scenarioName = args.scenario ?? ctx.io.env.IISCTL_SIM_SCENARIO;
    if (scenarioName === undefined) {
      let own: string | undefined;
      try {
        own = peekState({ stateFile })?.scenario;
      } catch {
        own = undefined; // a corrupt file is what sim reset repairs: the default scenario then
      }
      if (own !== undefined && !listBundledScenarios().includes(own)) {
        throw new UsageError(`The state file ${stateFilePath({ stateFile })} holds scenario "${own}", which is not a bundled one: name its file, iisctl --simulate=FILE sim reset.`, SIM_RESET_USAGE);
      }
      scenarioName = own ?? scenarioNameOf({ scenario: ctx.io.env.IISCTL_SIM_SCENARIO });
    }
    const scenario = loadScenario(scenarioName);
    const file = args.dryRun ? stateFilePath({ stateFile }, scenario.name) : resetState(scenario, stateFile);
    const result = { scenario: scenario.name, stateFile: file, reset: !args.dryRun };
    if (ctx.args.json) ctx.out.document({ ok: true, command: ctx.command, exitCode: EXIT.OK, ...(args.dryRun ? { dryRun: true } : {}), result });
    else if (args.dryRun) ctx.out.line(`Dry run: would reset the simulated machine to scenario '${scenario.name}' in ${file}. Nothing was changed.`);
    else ctx.out.line(`Simulated machine reset to scenario '${scenario.name}' (state file ${file}).`);
    if (!ctx.args.json) ctx.out.line(simulatorEngineLine(ctx.io));
    return EXIT.OK;
  }),
});

/** `iisctl sim serve`: the simulated farm's sites over HTTP (lib/sim/http.ts) until Ctrl+C or --for S. */
async function serve(ctx: import('../context').Context, seconds: number | undefined): Promise<0> {
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) throw new UsageError('--for must be a positive number of seconds.', SIM_RESET_USAGE);
  const { scenarioNameOf, stateFilePath, withMachine, startSimulatedFarm } = loadSimulator();
  const scenario = scenarioNameOf({ scenario: ctx.args.scenario ?? ctx.io.env.IISCTL_SIM_SCENARIO });
  const stateFile = stateFilePath({ scenario, stateFile: simulatedMachine(ctx.io).stateFile });
  await withMachine({ scenario, stateFile }, () => undefined);
  const farm = await startSimulatedFarm({ scenario, stateFile });
  if (ctx.args.json) ctx.out.document({ ok: true, command: ctx.command, exitCode: EXIT.OK, result: { scenario, stateFile, sites: farm.sites } });
  else for (const s of farm.sites) ctx.out.line(`${s.computer}  ${s.site}  ${s.url}`);
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (seconds !== undefined) setTimeout(done, seconds * 1000);
  });
  await farm.close();
  return EXIT.OK;
}
