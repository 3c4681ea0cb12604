/**
 * Get-Command over what the simulated runspace can run: the cmdlets it implements, their catalog
 * aliases, the functions defined in the session and the native commands the computer has.
 *
 * Objects: CmdletInfo (Name, CommandType Cmdlet, Source/ModuleName, Verb, Noun), AliasInfo (Name,
 * CommandType Alias, Definition/ResolvedCommandName = the cmdlet), FunctionInfo (Name, CommandType
 * Function, Definition = body), ApplicationInfo (Name 'iisreset.exe', CommandType Application,
 * Source/Path/Definition 'C:\Windows\system32\iisreset.exe' — docs/sources.md §1.1, Extension '.exe').
 * CommandType is System.Management.Automation.CommandTypes (Alias 1, Function 2, Cmdlet 8,
 * Application 32; learn.microsoft.com/dotnet/api/System.Management.Automation.CommandTypes).
 *
 * Not found (exact name): the non-terminating error of a 5.1 transcript (PowerCLI Core blog post):
 *   Get-Command : The term 'less' is not recognized as the name of a cmdlet, function, script file, or operable program. ...
 *   + CategoryInfo          : ObjectNotFound: (less:String) [Get-Command], CommandNotFoundException
 *   + FullyQualifiedErrorId : CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand
 * (the same FQID is the example in Microsoft's "Windows PowerShell Error Records" page, and public
 * scripts test for it after `Get-Command -ErrorAction Stop`). A wildcard that matches nothing
 * returns nothing, without an error.
 *
 * "Get-Command that uses the exact name of the command, without wildcard characters, automatically
 * imports the module that contains the command" (Get-Command 5.1 docs): an exact WebAdministration
 * or IISAdministration name imports its module when installed; a module that is not installed has
 * no commands. iisreset.exe exists only where IIS is installed (`m.iisInstalled`: W3SVC exists).
 *
 * Known differences: only the catalog's cmdlets exist (real 5.1 has many more), so wildcard
 * results are a subset; an exact name of a catalog cmdlet the simulator does not implement fails
 * loudly (NotImplementedBySimulatedHost) rather than returning a CmdletInfo; -CommandType takes
 * one enumerator name (a flags list like 'Cmdlet,Application' is refused by the binder).
 */
import type { CmdletCall, CmdletImpl } from '../interp/types';
import { makeError } from '../errors';
import { Catalog } from '../catalog';
import { PsEnum, type PsValue } from '../values';
import { hostOf } from './simhost';
import { dotnetObject, hasWildcard, likeAny, notImplemented, only, strings } from './common';

const COMMAND_TYPES = { Alias: 1, Function: 2, Cmdlet: 8, Application: 32 } as const;
type Kind = keyof typeof COMMAND_TYPES;

function commandType(kind: Kind): PsEnum {
  return new PsEnum('System.Management.Automation.CommandTypes', kind, COMMAND_TYPES[kind]);
}

/** Native commands the simulated computers may have: file name, full path, when present. */
const NATIVES: Record<string, { file: string; path: string }> = {
  iisreset: { file: 'iisreset.exe', path: 'C:\\Windows\\system32\\iisreset.exe' },
};

interface Entry {
  name: string;
  kind: Kind;
  make: () => PsValue;
  /** Module to import when found by exact name. */
  module?: string;
}

let sharedCatalog: Catalog | undefined;
function catalog(): Catalog {
  sharedCatalog ??= Catalog.load();
  return sharedCatalog;
}

function cmdletInfo(name: string, module: string): PsValue {
  const [verb, noun] = name.split('-');
  return dotnetObject(['System.Management.Automation.CmdletInfo', 'System.Management.Automation.CommandInfo'], [
    ['Name', name], ['CommandType', commandType('Cmdlet')], ['Source', module], ['ModuleName', module],
    ['Verb', verb], ['Noun', noun ?? ''],
  ], () => name);
}

function aliasInfo(alias: string, target: string, module: string): PsValue {
  return dotnetObject(['System.Management.Automation.AliasInfo', 'System.Management.Automation.CommandInfo'], [
    ['Name', alias], ['CommandType', commandType('Alias')], ['Definition', target], ['ResolvedCommandName', target],
    ['ReferencedCommand', cmdletInfo(target, module)], ['ResolvedCommand', cmdletInfo(target, module)],
    // Aliases of built-in cmdlets are defined by the engine, not by a module (assumed: empty Source).
    ['Source', ''], ['ModuleName', ''],
  ], () => alias);
}

function functionInfo(name: string, definition: string): PsValue {
  return dotnetObject(['System.Management.Automation.FunctionInfo', 'System.Management.Automation.CommandInfo'], [
    ['Name', name], ['CommandType', commandType('Function')], ['Definition', definition], ['Source', ''], ['ModuleName', ''],
  ], () => name);
}

function applicationInfo(file: string, path: string): PsValue {
  return dotnetObject(['System.Management.Automation.ApplicationInfo', 'System.Management.Automation.CommandInfo'], [
    ['Name', file], ['CommandType', commandType('Application')], ['Definition', path], ['Path', path], ['Source', path],
    ['Extension', '.exe'], ['ModuleName', ''],
  ], () => file);
}

/** Everything this runspace can run on its computer, in precedence order (alias, function, cmdlet, application). */
async function entries(call: CmdletCall): Promise<{ list: Entry[]; unimplemented: (name: string) => boolean }> {
  const cat = catalog();
  const table = call.ctx.commands();
  const host = hostOf(call);
  const have = await host.use((m) => ({
    iis: m.iisInstalled,
    modules: new Set(['WebAdministration', 'IISAdministration'].filter((x) => m.hasModule(x)).map((x) => x.toLowerCase())),
  }));
  const moduleOf = (name: string) => cat.cmdlet(name)?.module ?? '';
  const available = (name: string) => {
    const mod = moduleOf(name).toLowerCase();
    return !['webadministration', 'iisadministration'].includes(mod) || have.modules.has(mod);
  };
  const implemented = new Set(table.cmdlets.map((c) => c.toLowerCase()));
  const cmdlets = table.cmdlets.filter(available).sort();
  const list: Entry[] = [];
  for (const c of cmdlets) {
    for (const a of cat.cmdlet(c)?.aliases ?? []) list.push({ name: a, kind: 'Alias', make: () => aliasInfo(a, c, moduleOf(c)), module: moduleOf(c) });
  }
  for (const f of table.functions) list.push({ name: f.name, kind: 'Function', make: () => functionInfo(f.name, f.definition) });
  for (const c of cmdlets) list.push({ name: c, kind: 'Cmdlet', make: () => cmdletInfo(c, moduleOf(c)), module: moduleOf(c) });
  for (const n of table.natives) {
    const nat = NATIVES[n];
    if (nat && (n !== 'iisreset' || have.iis)) list.push({ name: nat.file, kind: 'Application', make: () => applicationInfo(nat.file, nat.path) });
  }
  const unimplemented = (name: string) => {
    const canonical = cat.resolve(name);
    return canonical !== undefined && !implemented.has(canonical.toLowerCase()) && available(canonical);
  };
  return { list, unimplemented };
}

/** An exact name: "x", "x.exe" or the full path of an application. */
function exactMatch(e: Entry, name: string): boolean {
  const n = name.toLowerCase();
  if (e.kind !== 'Application') return e.name.toLowerCase() === n;
  const nat = Object.values(NATIVES).find((x) => x.file === e.name);
  return n === e.name.toLowerCase() || n === e.name.toLowerCase().replace(/\.exe$/, '') || (!!nat && n === nat.path.toLowerCase());
}

function notFound(call: CmdletCall, name: string): void {
  call.ctx.writeError(makeError('System.Management.Automation.CommandNotFoundException',
    `The term '${name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
    `CommandNotFoundException,${call.ctx.cmdletTypeName}`, 'ObjectNotFound', name));
}

const getCommand: CmdletImpl = async (call) => {
  only(call, ['Name', 'CommandType']);
  if (!call.params.has('Name')) notImplemented(call, 'Get-Command without -Name (listing every command)');
  const typeName = call.params.get('CommandType');
  const wanted = typeName === undefined || typeName === 'All' ? undefined : String(typeName);
  if (wanted !== undefined && !(wanted in COMMAND_TYPES)) return []; // Filter, ExternalScript, Script, Workflow, Configuration: none exist here
  const { list, unimplemented } = await entries(call);
  const ofType = list.filter((e) => wanted === undefined || e.kind === wanted);
  const out: PsValue[] = [];
  const host = hostOf(call);
  for (const name of strings(call.params.get('Name'))) {
    if (hasWildcard(name)) {
      for (const e of ofType) if (likeAny(e.name, [name])) out.push(e.make());
      continue;
    }
    const hit = ofType.find((e) => exactMatch(e, name));
    if (hit) {
      if (hit.module && ['webadministration', 'iisadministration'].includes(hit.module.toLowerCase())) host.imported.add(hit.module.toLowerCase());
      out.push(hit.make());
    } else if (unimplemented(name) && (wanted === undefined || wanted === 'Cmdlet')) {
      notImplemented(call, `Get-Command for the cmdlet '${name}' (it exists in Windows PowerShell 5.1 but the simulator does not implement it)`);
    } else notFound(call, name);
  }
  return out;
};

export const commandCmdlets: Array<[string, CmdletImpl]> = [['Get-Command', getCommand]];
