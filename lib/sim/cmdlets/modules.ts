/**
 * Import-Module / Get-Module for the two IIS modules the machine may have installed.
 * Missing module (5.1 transcript, MichaelGrafnetter/DSInternals#48 and voxpupuli/puppet-iis#47):
 *   Import-Module : The specified module 'X' was not loaded because no valid module file was found in any module directory.
 *   CategoryInfo: ResourceUnavailable: (X:String) [Import-Module], FileNotFoundException
 *   FullyQualifiedErrorId: Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand
 */
import type { CmdletCall, CmdletImpl } from '../interp/types';
import { PsEnum, type PsValue, toStr } from '../values';
import { hostOf, type SimHost } from './simhost';
import { chain, dotnetObject, errorWith, likeAny, only, strings } from './common';

/** Installed-with-IIS modules: versions as shipped with Server 2016+ (assumed). */
const KNOWN: Record<string, { name: string; version: string; path: string }> = {
  webadministration: { name: 'WebAdministration', version: '1.0.0.0', path: 'C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\Modules\\WebAdministration\\WebAdministration.psd1' },
  iisadministration: { name: 'IISAdministration', version: '1.1.0.0', path: 'C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\Modules\\IISAdministration\\IISAdministration.psd1' },
};

function moduleInfo(k: string): PsValue {
  const m = KNOWN[k];
  return dotnetObject(['System.Management.Automation.PSModuleInfo'], [
    ['Name', m.name],
    ['Path', m.path],
    ['Version', m.version],
    ['ModuleType', new PsEnum('System.Management.Automation.ModuleType', 'Manifest', 1)],
  ], () => m.name);
}

async function installed(host: SimHost): Promise<string[]> {
  return host.use((m) => Object.keys(KNOWN).filter((k) => m.hasModule(KNOWN[k].name)));
}

/** Autoload: a WebAdministration/IISAdministration cmdlet imports its module when installed. */
export async function ensureModule(call: CmdletCall, module: string): Promise<boolean> {
  const host = hostOf(call);
  if (host.imported.has(module.toLowerCase())) return true;
  const ok = (await installed(host)).includes(module.toLowerCase());
  if (ok) host.imported.add(module.toLowerCase());
  return ok;
}

const importModule: CmdletImpl = async (call) => {
  only(call, ['Name', 'PassThru', 'Force', 'DisableNameChecking']);
  const host = hostOf(call);
  const have = await installed(host);
  const out: PsValue[] = [];
  for (const n of strings(call.params.get('Name'))) {
    const k = n.toLowerCase();
    // Only the IIS modules exist on the simulated machine: any other name is "not installed".
    if (!have.includes(k)) {
      call.ctx.writeError(errorWith(chain({ type: 'System.IO.FileNotFoundException', message: `The specified module '${n}' was not loaded because no valid module file was found in any module directory.` }),
        `Modules_ModuleNotFound,${call.ctx.cmdletTypeName}`, 'ResourceUnavailable', n));
      continue;
    }
    host.imported.add(k);
    if (call.params.get('PassThru') === true) out.push(moduleInfo(k));
  }
  return out;
};

const getModule: CmdletImpl = async (call) => {
  only(call, ['Name', 'ListAvailable']);
  const host = hostOf(call);
  const names = strings(call.params.get('Name'));
  const pool = call.params.get('ListAvailable') === true ? await installed(host) : [...host.imported];
  return pool.filter((k) => !names.length || likeAny(KNOWN[k].name, names)).map(moduleInfo);
};

export const moduleCmdlets: Array<[string, CmdletImpl]> = [
  ['Import-Module', importModule],
  ['Get-Module', getModule],
];

export { toStr };
