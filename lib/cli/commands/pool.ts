/**
 * `iisctl pool list | recycle|start|stop NAME...`: see ../poolsAndSites.ts (library: iis.appPools);
 * `iisctl pool show|set NAME ...`: see ./pool-settings.ts.
 */
import type { Argv, CommandModule } from 'yargs';
import { Runtime, UsageError } from '../context';
import { Args, handler } from '../handler';
import { SURGICAL_USAGE, surgicalCommand, SurgicalArgs } from '../poolsAndSites';
import { addSettingOptions, givenSettingOptions, POOL_SETTINGS_USAGE, runPoolSettings } from './pool-settings';

export const POOL_USAGE = `${SURGICAL_USAGE.pool}\n       ${POOL_SETTINGS_USAGE}`;

export const poolCommand = (runtime: Runtime): CommandModule<object, Args<SurgicalArgs>> => {
  const base = surgicalCommand(runtime, 'pool');
  const settings = handler<SurgicalArgs>(runtime, (a) => `pool ${a.action}`, POOL_SETTINGS_USAGE, (ctx, args) => {
    const surgical = ['match', 'all', 'timeout', 'force', 'stayStopped', 'reason'].filter((k) => (args as Record<string, unknown>)[k] !== undefined && (args as Record<string, unknown>)[k] !== false);
    if (surgical.length) throw new UsageError(`pool ${args.action} does not take ${surgical.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}.`, POOL_SETTINGS_USAGE);
    return runPoolSettings(ctx, args);
  });
  return {
    ...base,
    builder: (y: Argv) => addSettingOptions((base.builder as (y: Argv) => Argv)(y).positional('action', { choices: ['show', 'set'] })) as unknown as Argv<Args<SurgicalArgs>>,
    handler: async (args) => {
      if (args.action === 'show' || args.action === 'set') return settings(args);
      const given = givenSettingOptions(args as unknown as Record<string, unknown>);
      if (given.length) {
        runtime.usage = SURGICAL_USAGE.pool;
        throw new UsageError(`--${given[0]} applies to pool set only.`, SURGICAL_USAGE.pool);
      }
      return (base.handler as (a: typeof args) => Promise<void>)(args);
    },
  };
};
