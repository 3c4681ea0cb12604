/**
 * `iisctl pool list | recycle|start|stop NAME...`: see ../poolsAndSites.ts (library: iis.appPools);
 * `iisctl pool show|set NAME ...`: see ./pool-settings.ts.
 */
import { Runtime, UsageError } from '../context';
import { Args, CliCommand, handler } from '../handler';
import { runSurgical, SURGICAL_USAGE, SurgicalArgs, surgicalOptions } from '../poolsAndSites';
import { addSettingOptions, givenSettingOptions, POOL_SETTINGS_USAGE, runPoolSettings } from './pool-settings';

export const POOL_USAGE = `${SURGICAL_USAGE.pool}\n       ${POOL_SETTINGS_USAGE}`;

export const poolCommand = (runtime: Runtime): CliCommand => {
  const pool = SURGICAL_USAGE.pool;
  const settings = handler<SurgicalArgs>(runtime, (a) => `pool ${a.action}`, POOL_SETTINGS_USAGE, (ctx, args) => {
    const surgical = ['match', 'all', 'timeout', 'force', 'stayStopped', 'reason'].filter((k) => args[k] !== undefined && args[k] !== false);
    if (surgical.length) throw new UsageError(`pool ${args.action} does not take ${surgical.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}.`, POOL_SETTINGS_USAGE);
    return runPoolSettings(ctx, args);
  });
  const surgical = handler<SurgicalArgs>(runtime, (a) => `pool ${a.action}`, pool, (ctx, args) => runSurgical(ctx, 'pool', args, pool));
  return {
    builder: (y) => addSettingOptions(surgicalOptions(y, 'pool').positional('action', { choices: ['show', 'set'] })),
    run: async (args: Args<SurgicalArgs>) => {
      if (args.action === 'show' || args.action === 'set') return settings(args);
      const given = givenSettingOptions(args);
      if (given.length) throw new UsageError(`--${given[0]} applies to pool set only.`, pool);
      return surgical(args);
    },
  };
};
