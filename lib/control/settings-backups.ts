/** IIS configuration backups: list, create (read back in the list), restore. */
import { HINTS } from '../hints';
import { IisctlError } from '../errors';
import { ConfigBackupInfo, createBackup, listBackups, restoreBackup, validateBackupName } from '../scripts/backups';
import type { PlannedStep, WebOperations } from './webOperations';

export class BackupController {
  constructor(private readonly ops: WebOperations) {}

  list(): Promise<ConfigBackupInfo[]> {
    return this.ops.run(listBackups());
  }

  /** Backup-WebConfiguration; verified by finding the backup in Get-WebConfigurationBackup. */
  async create(name: string): Promise<ConfigBackupInfo> {
    validateBackupName(name);
    return this.ops.changing('backup-create', `backup=${name}`, async () => {
      await this.ops.run(createBackup(name));
      const found = (await this.list()).find((b) => b.name.toLowerCase() === name.toLowerCase());
      if (!found) throw new IisctlError('FAILED', `Backup ${JSON.stringify(name)} is not listed on ${this.ops.host} after Backup-WebConfiguration.`, { host: this.ops.host });
      return found;
    });
  }

  /** What create or restore would run, with the exact scripts; nothing runs (--dry-run). */
  plan(action: 'create' | 'restore', name: string): PlannedStep[] {
    validateBackupName(name);
    return action === 'create'
      ? [this.ops.planStep('back up the IIS configuration', createBackup(name), [name]), this.ops.planStep('read back: find the new backup in the list', listBackups())]
      : [this.ops.planStep('find the backup (NOT_FOUND if it is not there)', listBackups()), this.ops.planStep('replace the live IIS configuration with the backup', restoreBackup(name), [name])];
  }

  /** Restore-WebConfiguration of an existing backup (NOT_FOUND otherwise, nothing run but the list). */
  async restore(name: string): Promise<ConfigBackupInfo> {
    validateBackupName(name);
    const found = (await this.list()).find((b) => b.name.toLowerCase() === name.toLowerCase());
    if (!found) throw new IisctlError('NOT_FOUND', `There is no configuration backup named ${JSON.stringify(name)} on ${this.ops.host}.`, { host: this.ops.host, hint: HINTS.listBackups });
    return this.ops.changing('backup-restore', `backup=${found.name}`, async () => {
      await this.ops.run(restoreBackup(found.name));
      return found;
    });
  }
}
