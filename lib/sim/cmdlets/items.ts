/**
 * Provider cmdlets for the two drives the library uses: the registry (HKLM:\, HKCU:\,
 * Registry::...) and WebAdministration's IIS:\ (AppPools, Sites, WorkerProcesses). Any other path
 * is refused loudly. Texts are the 5.1 provider messages (SessionStateStrings / registry provider):
 * "Cannot find path '{0}' because it does not exist." (PathNotFound, ItemNotFoundException),
 * "Property {0} does not exist at path {1}." (PSArgumentException), "A key at this path already
 * exists." / "The property already exists." (System.IO.IOException, ResourceExists),
 * "Requested registry access is not allowed." (SecurityException), "Cannot find drive. A drive
 * with the name 'IIS' does not exist." (DriveNotFound) — as recalled from 5.1 output, unsourced.
 * The IIS: drive exists only once WebAdministration is loaded (drive paths do not autoload).
 */
import type { CmdletCall, CmdletImpl } from '../interp/types';
import { normaliseRegistryPath, SimFault, type RegistryValue, type RegistryValueKind } from '../machine';
import { PsObject, type PsValue, toStr, isArray } from '../values';
import { hostOf } from './simhost';
import { chain, errorWith, notImplemented, only, strings } from './common';
import { poolObject, siteObject, workerObject, inModule, readIisConfig } from './webadmin';

type Where = { kind: 'registry'; path: string; shown: string } | { kind: 'iis'; parts: string[]; shown: string };

function locate(call: CmdletCall, raw: string): Where {
  if (/^iis:/i.test(raw)) return { kind: 'iis', parts: raw.replace(/^iis:[\\/]*/i, '').split(/[\\/]+/).filter(Boolean), shown: raw };
  const canonical = normaliseRegistryPath(raw);
  if (canonical) return { kind: 'registry', path: raw, shown: raw };
  return notImplemented(call, `the path '${raw}' (only HKLM:\\, HKCU:\\ and IIS:\\ are simulated)`);
}

function pathNotFound(call: CmdletCall, shown: string): void {
  call.ctx.writeError(errorWith(chain({ type: 'System.Management.Automation.ItemNotFoundException', message: `Cannot find path '${shown}' because it does not exist.` }),
    `PathNotFound,${call.ctx.cmdletTypeName}`, 'ObjectNotFound', shown));
}

function driveNotFound(call: CmdletCall): void {
  call.ctx.writeError(errorWith(chain({ type: 'System.Management.Automation.DriveNotFoundException', message: "Cannot find drive. A drive with the name 'IIS' does not exist." }),
    `DriveNotFound,${call.ctx.cmdletTypeName}`, 'ObjectNotFound', 'IIS'));
}

function registryFault(call: CmdletCall, e: unknown, shown: string): void {
  if (!(e instanceof SimFault)) throw e;
  if (e.kind === 'AccessDenied') {
    call.ctx.writeError(errorWith(chain({ type: 'System.Security.SecurityException', message: 'Requested registry access is not allowed.' }),
      `System.Security.SecurityException,${call.ctx.cmdletTypeName}`, 'PermissionDenied', shown));
  } else if (e.kind === 'NotFound') pathNotFound(call, shown);
  else throw e;
}

function registryView(path: string, shown: string, values: RegistryValue[]): PsObject {
  const o = PsObject.custom();
  for (const v of values) o.addNote(v.name === '' ? '(default)' : v.name, v.value as PsValue);
  const canonical = normaliseRegistryPath(path) as string;
  const i = canonical.lastIndexOf('\\');
  o.addNote('PSPath', `Microsoft.PowerShell.Core\\Registry::${canonical}`);
  o.addNote('PSParentPath', `Microsoft.PowerShell.Core\\Registry::${canonical.slice(0, Math.max(0, i))}`);
  o.addNote('PSChildName', canonical.slice(i + 1));
  o.addNote('PSDrive', /^HKCU/i.test(shown) ? 'HKCU' : 'HKLM');
  o.addNote('PSProvider', 'Microsoft.PowerShell.Core\\Registry');
  void shown;
  return o;
}

/** IIS:\ items; null when the path does not exist. */
async function iisItems(call: CmdletCall, parts: string[], children: boolean): Promise<PsValue[] | null> {
  const host = hostOf(call);
  if (!host.imported.has('webadministration')) {
    driveNotFound(call);
    return [];
  }
  const [top, name, sub] = parts.map((p) => p.toLowerCase());
  // Only the item asked for: one pool's view per path, not all of them (listing N pools' workers stays O(N)).
  const { pools, sites, computer } = await readIisConfig(call, (m) => {
    const one = <T>(v: T | undefined): T[] => (v ? [v] : []);
    return {
      pools: top !== 'apppools' ? [] : name ? one(m.pool(name)) : m.pools(),
      sites: top !== 'sites' ? [] : name ? one(m.site(name)) : m.sites(),
      computer: m.name,
    };
  });
  if (top === 'apppools') {
    if (!name) return children ? pools.map((p) => poolObject(p, computer)) : null;
    const p = pools[0];
    if (!p) return null;
    if (sub === 'workerprocesses') return children ? p.workerProcesses.map((w) => workerObject(w, p.name)) : [];
    if (sub !== undefined) return null;
    return children ? [] : [poolObject(p, computer)];
  }
  if (top === 'sites') {
    if (!name) return children ? sites.map((s) => siteObject(s, computer)) : null;
    const s = sites[0];
    if (!s || sub !== undefined) return null;
    return children ? [] : [siteObject(s, computer)];
  }
  return null;
}

function paths(call: CmdletCall): string[] {
  return strings(call.params.get('Path') ?? call.params.get('LiteralPath'));
}

const getItem: CmdletImpl = async (call) => {
  only(call, ['Path', 'LiteralPath']);
  const out: PsValue[] = [];
  for (const raw of paths(call)) {
    const w = locate(call, raw);
    if (w.kind === 'iis') {
      const items = await iisItems(call, w.parts, false);
      if (items === null) pathNotFound(call, raw);
      else out.push(...items);
    } else {
      const key = await hostOf(call).use((m) => m.registryKey(w.path));
      if (!key) pathNotFound(call, raw);
      else out.push(registryView(w.path, raw, Object.values(key.values)));
    }
  }
  return out;
};

const getChildItem: CmdletImpl = async (call) => {
  only(call, ['Path', 'LiteralPath']);
  const out: PsValue[] = [];
  for (const raw of paths(call)) {
    const w = locate(call, raw);
    if (w.kind !== 'iis') notImplemented(call, 'Get-ChildItem on the registry');
    const items = await iisItems(call, (w as { parts: string[] }).parts, true);
    if (items === null) pathNotFound(call, raw);
    else out.push(...items);
  }
  return out;
};

const getItemProperty: CmdletImpl = async (call) => {
  only(call, ['Path', 'LiteralPath', 'Name']);
  const names = strings(call.params.get('Name'));
  const out: PsValue[] = [];
  for (const raw of paths(call)) {
    const w = locate(call, raw);
    if (w.kind === 'iis') {
      const items = await iisItems(call, w.parts, false);
      if (items === null) {
        pathNotFound(call, raw);
        continue;
      }
      for (const item of items) {
        if (!names.length) out.push(item);
        // -Name on IIS:\ gives the attribute value itself (docs/sources.md §4.1: (Get-ItemProperty ... -name processModel).startupTimeLimit).
        for (const n of names) {
          const v = item instanceof PsObject ? item.getProperty(n) : undefined;
          if (v === undefined) notImplemented(call, `the IIS attribute '${n}'`);
          else out.push(v);
        }
      }
      continue;
    }
    const key = await hostOf(call).use((m) => m.registryKey(w.path));
    if (!key) {
      pathNotFound(call, raw);
      continue;
    }
    const values = Object.values(key.values);
    const picked: RegistryValue[] = [];
    for (const n of names) {
      const v = values.find((x) => x.name.toLowerCase() === n.toLowerCase());
      if (v) picked.push(v);
      else {
        call.ctx.writeError(errorWith(chain({ type: 'System.Management.Automation.PSArgumentException', message: `Property ${n} does not exist at path ${normaliseRegistryPath(w.path)}.` }),
          `System.Management.Automation.PSArgumentException,${call.ctx.cmdletTypeName}`, 'InvalidArgument', n));
      }
    }
    if (!names.length || picked.length) out.push(registryView(w.path, raw, names.length ? picked : values));
  }
  return out;
};

const getItemPropertyValue: CmdletImpl = async (call) => {
  only(call, ['Path', 'LiteralPath', 'Name']);
  const out = await getItemProperty(call);
  return out.flatMap((o) => strings(call.params.get('Name')).map((n) => (o instanceof PsObject ? o.getProperty(n) ?? null : null)));
};

function kindOf(value: PsValue, given?: string): RegistryValueKind {
  if (given) {
    const k = ({ string: 'String', expandstring: 'ExpandString', dword: 'DWord', qword: 'QWord', multistring: 'MultiString', binary: 'Binary' } as Record<string, RegistryValueKind>)[given.toLowerCase()];
    return k ?? 'String';
  }
  if (typeof value === 'number') return 'DWord';
  if (isArray(value)) return 'MultiString';
  return 'String';
}

function registryValue(value: PsValue, kind: RegistryValueKind): RegistryValue['value'] {
  if (kind === 'DWord' || kind === 'QWord') return Number(toStr(value));
  if (kind === 'MultiString') return (isArray(value) ? value : [value]).map((x) => toStr(x));
  return toStr(value);
}

/**
 * Set-ItemProperty on IIS:\ for the two boolean attributes the machine models: a pool's autoStart
 * and a site's serverAutoStart (docs/sources.md §4.1 settings through the provider; §7.4 autoStart). Any other
 * attribute is refused loudly.
 */
async function setIisAttribute(call: CmdletCall, parts: string[], raw: string): Promise<void> {
  const host = hostOf(call);
  if (!host.imported.has('webadministration')) return driveNotFound(call);
  const attribute = toStr(call.params.get('Name') ?? null).toLowerCase();
  const [top, name, sub] = parts;
  const kind = top?.toLowerCase();
  const value = call.params.get('Value') ?? null;
  const text = typeof value === 'boolean' ? String(value) : toStr(value).toLowerCase();
  if (sub !== undefined || !name || !((kind === 'apppools' && attribute === 'autostart') || (kind === 'sites' && attribute === 'serverautostart')) || (text !== 'true' && text !== 'false')) {
    notImplemented(call, `Set-ItemProperty of '${attribute}' on '${raw}' (only a pool's autoStart and a site's serverAutoStart, as booleans)`);
  }
  try {
    await host.use((m) => (kind === 'apppools' ? m.setPoolAutoStart(name, text === 'true') : m.setSiteServerAutoStart(name, text === 'true')));
  } catch (e) {
    if (e instanceof SimFault && e.kind === 'NotFound') return pathNotFound(call, raw);
    throw e;
  }
}

const setItemProperty: CmdletImpl = async (call) => {
  only(call, ['Path', 'LiteralPath', 'Name', 'Value', 'Type', 'PassThru']);
  for (const raw of paths(call)) {
    const w = locate(call, raw);
    if (w.kind === 'iis') {
      await setIisAttribute(call, w.parts, raw);
      continue;
    }
    const name = toStr(call.params.get('Name') ?? null);
    const value = call.params.get('Value') ?? null;
    try {
      await hostOf(call).use((m) => {
        if (!m.registryKeyExists(w.shown)) throw new SimFault({ kind: 'NotFound', message: '', computer: m.name });
        const old = m.getRegistryValue(w.shown, name);
        const kind = call.params.has('Type') ? kindOf(value, toStr(call.params.get('Type') ?? null)) : old?.kind ?? kindOf(value);
        m.setRegistryValue(w.shown, name, registryValue(value, kind), kind);
      });
    } catch (e) {
      registryFault(call, e, raw);
    }
  }
  return [];
};

const newItem: CmdletImpl = async (call) => {
  only(call, ['Path', 'Name', 'ItemType', 'Force', 'Value']);
  const out: PsValue[] = [];
  for (const base of paths(call)) {
    const raw = call.params.has('Name') ? `${base.replace(/[\\/]+$/, '')}\\${toStr(call.params.get('Name') ?? null)}` : base;
    const w = locate(call, raw);
    if (w.kind === 'iis') notImplemented(call, 'New-Item on IIS:\\');
    try {
      const made = await hostOf(call).use((m) => {
        if (m.registryKeyExists(w.shown) && call.params.get('Force') !== true) return false;
        m.createRegistryKey(w.shown);
        return true;
      });
      if (!made) {
        call.ctx.writeError(errorWith(chain({ type: 'System.IO.IOException', message: 'A key at this path already exists.' }),
          `System.IO.IOException,${call.ctx.cmdletTypeName}`, 'ResourceExists', raw));
        continue;
      }
      out.push(registryView(w.shown, raw, []));
    } catch (e) {
      registryFault(call, e, raw);
    }
  }
  return out;
};

const newItemProperty: CmdletImpl = async (call) => {
  only(call, ['Path', 'LiteralPath', 'Name', 'Value', 'PropertyType', 'Force']);
  const out: PsValue[] = [];
  const name = toStr(call.params.get('Name') ?? null);
  const value = call.params.get('Value') ?? null;
  for (const raw of paths(call)) {
    const w = locate(call, raw);
    if (w.kind === 'iis') notImplemented(call, 'New-ItemProperty on IIS:\\');
    try {
      const r = await hostOf(call).use((m) => {
        if (!m.registryKeyExists(w.shown)) throw new SimFault({ kind: 'NotFound', message: '', computer: m.name });
        if (m.getRegistryValue(w.shown, name) && call.params.get('Force') !== true) return null;
        const kind = kindOf(value, call.params.has('PropertyType') ? toStr(call.params.get('PropertyType') ?? null) : undefined);
        m.setRegistryValue(w.shown, name, registryValue(value, kind), kind);
        return m.getRegistryValue(w.shown, name);
      });
      if (!r) {
        call.ctx.writeError(errorWith(chain({ type: 'System.IO.IOException', message: 'The property already exists.' }),
          `System.IO.IOException,${call.ctx.cmdletTypeName}`, 'ResourceExists', raw));
        continue;
      }
      out.push(registryView(w.shown, raw, [r]));
    } catch (e) {
      registryFault(call, e, raw);
    }
  }
  return out;
};

const removeItemProperty: CmdletImpl = async (call) => {
  only(call, ['Path', 'LiteralPath', 'Name', 'Force']);
  for (const raw of paths(call)) {
    const w = locate(call, raw);
    if (w.kind === 'iis') notImplemented(call, 'Remove-ItemProperty on IIS:\\');
    for (const name of strings(call.params.get('Name'))) {
      try {
        const removed = await hostOf(call).use((m) => {
          if (!m.registryKeyExists(w.shown)) throw new SimFault({ kind: 'NotFound', message: '', computer: m.name });
          return m.removeRegistryValue(w.shown, name);
        });
        if (!removed) {
          call.ctx.writeError(errorWith(chain({ type: 'System.Management.Automation.PSArgumentException', message: `Property ${name} does not exist at path ${normaliseRegistryPath(w.shown)}.` }),
            `System.Management.Automation.PSArgumentException,${call.ctx.cmdletTypeName}`, 'InvalidArgument', name));
        }
      } catch (e) {
        registryFault(call, e, raw);
      }
    }
  }
  return [];
};

const testPath: CmdletImpl = async (call) => {
  only(call, ['Path', 'LiteralPath', 'PathType']);
  const out: PsValue[] = [];
  for (const raw of paths(call)) {
    const w = locate(call, raw);
    if (w.kind === 'iis') {
      if (!hostOf(call).imported.has('webadministration')) out.push(false);
      else {
        const parts = w.parts.map((p) => p.toLowerCase());
        const { pools, sites } = await hostOf(call).use((m) => ({ pools: m.pools(), sites: m.sites() }));
        const [top, name, sub] = parts;
        const exists = parts.length === 0 ||
          (top === 'apppools' && (!name || (pools.some((p) => p.name.toLowerCase() === name) && (sub === undefined || sub === 'workerprocesses') && parts.length <= 3))) ||
          (top === 'sites' && (!name || (sites.some((s) => s.name.toLowerCase() === name) && sub === undefined)));
        out.push(exists);
      }
    } else out.push(await hostOf(call).use((m) => m.registryKeyExists(w.shown)));
  }
  return out;
};

export const itemCmdlets: Array<[string, CmdletImpl]> = [
  ['Get-Item', getItem],
  ['Get-ChildItem', getChildItem],
  ['Get-ItemProperty', getItemProperty],
  ['Get-ItemPropertyValue', getItemPropertyValue],
  ['Set-ItemProperty', setItemProperty],
  ['New-Item', newItem],
  ['New-ItemProperty', newItemProperty],
  ['Remove-ItemProperty', removeItemProperty],
  ['Test-Path', testPath],
];

export { inModule };
