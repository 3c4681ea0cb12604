/**
 * IIS configuration backups: Backup-WebConfiguration -Name, Get-WebConfigurationBackup,
 * Restore-WebConfiguration -Name (WebAdministration; syntax from the 5.1 catalog, learn.microsoft.com/powershell/module/webadministration/).
 * Backups are directories under %windir%\system32\inetsrv\backup, so iisctl accepts only names
 * that are valid Windows file names (iisctl's check: no \ / : * ? " < > |, no control characters,
 * at most 255 characters, not ending in a dot or a space).
 */
import { invalidArgument } from '../errors';
import { asArray } from '../powershell/json';
import { ps } from '../powershell/quote';
import type { PsCommand } from './command';
import { IMPORT_WEBADMINISTRATION } from './webadmin';

export interface ConfigBackupInfo {
  name: string;
  /** ISO 8601. */
  createdAt: string;
}

export function validateBackupName(name: string): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalidArgument('The backup name is empty.');
  if (name.length > 255) throw invalidArgument(`The backup name is longer than 255 characters (${name.length}).`);
  // eslint-disable-next-line no-control-regex
  if (/[\\/:*?"<>|\x00-\x1f]/.test(name) || /[. ]$/.test(name) || name === '.' || name === '..') {
    throw invalidArgument(`${JSON.stringify(name)} is not a valid backup name: it becomes a folder name, so \\ / : * ? " < > |, control characters and a trailing dot or space are not allowed.`);
  }
  return name;
}

const toBackup = ps`ForEach-Object { [pscustomobject]@{ Name = [string]$_.Name; CreatedAt = ([datetime]$_.CreationDate).ToUniversalTime().ToString('o') } }`;

function parseBackups(data: unknown): ConfigBackupInfo[] {
  return asArray<Record<string, unknown>>(data)
    .map((b) => ({ name: String(b.Name), createdAt: String(b.CreatedAt) }))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export function listBackups(): PsCommand<ConfigBackupInfo[]> {
  return { purpose: 'list the IIS configuration backups', script: ps`${IMPORT_WEBADMINISTRATION}\n@(Get-WebConfigurationBackup | ${toBackup})`, parse: parseBackups };
}

export function createBackup(name: string): PsCommand<ConfigBackupInfo> {
  validateBackupName(name);
  return {
    purpose: `back up the IIS configuration as ${name}`,
    script: ps`${IMPORT_WEBADMINISTRATION}\n@(Backup-WebConfiguration -Name ${name} | ${toBackup})`,
    parse: (d) => parseBackups(d)[0],
  };
}

export function restoreBackup(name: string): PsCommand<void> {
  validateBackupName(name);
  return { purpose: `restore the IIS configuration backup ${name}`, script: ps`${IMPORT_WEBADMINISTRATION}\nRestore-WebConfiguration -Name ${name}\n$null`, parse: () => undefined };
}
