/**
 * `iisctl sim reset`: put the simulated machine back to its scenario (lib/sim/state.ts
 * resetState). The scenario is --simulate=FILE, else IISCTL_SIM_SCENARIO, else "default"; the
 * state file is IISCTL_SIM_STATE, else the simulator's per-user default.
 */
import type { CommandModule } from 'yargs';
import { Runtime, UsageError } from '../context';
import { EXIT } from '../exitCodes';
import { Args, handler } from '../handler';

export const SIM_RESET_USAGE = 'iisctl sim reset [--simulate=scenario.json] [--dry-run]';

export const simCommand = (runtime: Runtime): CommandModule<object, Args> => ({
  command: 'sim <action>',
  describe: 'The simulated Windows host: `sim reset` restores its scenario',
  builder: (y) => y.positional('action', { choices: ['reset'] as const, describe: 'reset: back to the scenario, clock and history included' }) as never,
  handler: handler(runtime, 'sim reset', SIM_RESET_USAGE, async (ctx, args) => {
    if (args.computer.length) throw new UsageError('sim reset resets the whole simulated world; --computer does not apply.', SIM_RESET_USAGE);
    // Loaded here so that no other command pays for the simulator's modules.
    const { resetState, scenarioNameOf, stateFilePath } = await import('../../sim/state');
    const { loadScenario } = await import('../../sim/scenario');
    const scenarioName = scenarioNameOf({ scenario: args.scenario });
    const scenario = loadScenario(scenarioName);
    const file = args.dryRun ? stateFilePath({}, scenario.name) : resetState(scenario);
    const result = { scenario: scenario.name, stateFile: file, reset: !args.dryRun };
    if (ctx.args.json) ctx.out.document({ ok: true, command: ctx.command, exitCode: EXIT.OK, ...(args.dryRun ? { dryRun: true } : {}), result });
    else if (args.dryRun) ctx.out.line(`Dry run: would reset the simulated machine to scenario '${scenario.name}' in ${file}. Nothing was changed.`);
    else ctx.out.line(`Simulated machine reset to scenario '${scenario.name}' (state file ${file}).`);
    return EXIT.OK;
  }),
});
