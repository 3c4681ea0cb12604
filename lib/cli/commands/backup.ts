/**
 * `iisctl backup create|list|restore NAME`: IIS configuration backups (Backup-WebConfiguration,
 * Get-WebConfigurationBackup, Restore-WebConfiguration; library: iis.backups). restore replaces the
 * live configuration, so it asks for --yes (exit 2 without it, nothing run); --dry-run shows the
 * scripts of create and restore without running them (no --yes needed).
 */
import type { ConfigBackupInfo } from '../../index';
import { forEachHost, Runtime, UsageError } from '../context';
import { CliCommand, handler } from '../handler';
import { table } from '../render';
import { renderSteps } from '../views';

export const BACKUP_USAGE = 'iisctl backup list | backup create NAME [--dry-run] | backup restore NAME --yes|--dry-run';

interface BackupArgs {
  action: string;
  name?: string;
  yes?: boolean;
}

export const backupCommand = (runtime: Runtime): CliCommand => ({
  builder: (y) =>
    y
      .positional('action', { choices: ['create', 'list', 'restore'] })
      .positional('name', { type: 'string', describe: 'Backup name' })
      .option('yes', { type: 'boolean', describe: 'restore: yes, replace the live IIS configuration with the backup' }),
  run: handler<BackupArgs>(runtime, (a) => `backup ${a.action}`, BACKUP_USAGE, (ctx, args) => {
    const name = args.name === undefined ? undefined : String(args.name);
    if (args.action === 'list') {
      if (args.dryRun) throw new UsageError('backup list changes nothing; --dry-run does not apply.', BACKUP_USAGE);
      if (name !== undefined || args.yes) throw new UsageError('backup list takes no name.', BACKUP_USAGE);
      return forEachHost(ctx, {
        run: (iis) => iis.backups.list(),
        human: (list: ConfigBackupInfo[]) => {
          if (!list.length) ctx.out.line('No configuration backups.');
          else for (const l of table(['NAME', 'CREATED'], list.map((b) => [b.name, b.createdAt]))) ctx.out.line(l);
        },
      });
    }
    if (name === undefined) throw new UsageError(`backup ${args.action} needs a NAME.`, BACKUP_USAGE);
    if (args.dryRun) {
      const action = args.action as 'create' | 'restore';
      return forEachHost(ctx, { run: async (iis) => iis.backups.plan(action, name), human: (steps) => renderSteps(ctx.out, `Dry run: backup ${action} ${name} would run these steps. Nothing was changed.`, steps) });
    }
    if (args.action === 'create') {
      if (args.yes) throw new UsageError('--yes applies to backup restore only.', BACKUP_USAGE);
      return forEachHost(ctx, { run: (iis) => iis.backups.create(name), human: (b) => ctx.out.line(`Created configuration backup ${b.name} (${b.createdAt}).`) });
    }
    if (!args.yes) throw new UsageError(`backup restore replaces the live IIS configuration with ${JSON.stringify(name)}; add --yes to do it.`, BACKUP_USAGE);
    return forEachHost(ctx, { run: (iis) => iis.backups.restore(name), human: (b) => ctx.out.line(`Restored configuration backup ${b.name} (created ${b.createdAt}).`) });
  }),
});
