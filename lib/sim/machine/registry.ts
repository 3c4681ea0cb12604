/**
 * A small registry: keys with typed values under HKEY_LOCAL_MACHINE / HKEY_CURRENT_USER.
 * Used by iisctl's own enable/disable toggle (iisreset's own flag location is unknown,
 * docs/sources.md §1.8 — iisctl keeps its toggle under a key of its own).
 * Writes under HKLM need an administrator (assumed message: the .NET SecurityException text).
 */
import type { Ctx } from './context';
import { SimFault } from './faults';
import type { ComputerState, RegistryKey, RegistryValue, RegistryValueKind } from './types';

const HIVES: Record<string, string> = {
  HKLM: 'HKEY_LOCAL_MACHINE',
  HKEY_LOCAL_MACHINE: 'HKEY_LOCAL_MACHINE',
  HKCU: 'HKEY_CURRENT_USER',
  HKEY_CURRENT_USER: 'HKEY_CURRENT_USER',
};

/**
 * "HKLM:\SOFTWARE\x", "HKLM:/SOFTWARE/x", "Registry::HKEY_LOCAL_MACHINE\SOFTWARE\x",
 * "Microsoft.PowerShell.Core\Registry::HKLM\SOFTWARE\x" → "HKEY_LOCAL_MACHINE\SOFTWARE\x".
 * Returns null for paths outside the supported hives.
 */
export function normaliseRegistryPath(path: string): string | null {
  let p = path.trim().replace(/\//g, '\\');
  p = p.replace(/^Microsoft\.PowerShell\.Core\\Registry::/i, '').replace(/^Registry::/i, '');
  const m = /^([A-Za-z_]+):?(?:\\+|$)(.*)$/.exec(p);
  if (!m) return null;
  const hive = HIVES[m[1].toUpperCase()];
  if (!hive) return null;
  const rest = m[2]
    .split('\\')
    .filter((s) => s.length > 0)
    .join('\\');
  return rest ? `${hive}\\${rest}` : hive;
}

const mapKey = (canonical: string) => canonical.toUpperCase();

function canonicalOrThrow(ctx: Ctx, path: string): string {
  const c = normaliseRegistryPath(path);
  if (!c) {
    throw new SimFault({
      kind: 'InvalidArgument',
      message: `Unsupported registry path '${path}'.`, // assumed text
      computer: ctx.comp.name,
      target: { type: 'registry', name: path },
    });
  }
  return c;
}

function requireWriteAccess(ctx: Ctx, canonical: string): void {
  if (canonical.toUpperCase().startsWith('HKEY_LOCAL_MACHINE') && !ctx.comp.user.isAdmin) {
    throw new SimFault({
      kind: 'AccessDenied',
      message: 'Requested registry access is not allowed.', // assumed (.NET SecurityException text)
      computer: ctx.comp.name,
      target: { type: 'registry', name: canonical },
      win32Code: 5,
    });
  }
}

export function getKey(comp: ComputerState, path: string): RegistryKey | undefined {
  const c = normaliseRegistryPath(path);
  if (!c) return undefined;
  if (!c.includes('\\')) return comp.registry[mapKey(c)] ?? { path: c, values: {} }; // hive roots always exist
  return comp.registry[mapKey(c)];
}

export function keyExists(comp: ComputerState, path: string): boolean {
  return getKey(comp, path) !== undefined;
}

/** Creates the key and any missing parents (New-Item -Force). Returns false when it already existed. */
export function createKey(ctx: Ctx, path: string): boolean {
  ctx.requireUp();
  const c = canonicalOrThrow(ctx, path);
  requireWriteAccess(ctx, c);
  if (ctx.comp.registry[mapKey(c)]) return false;
  const parts = c.split('\\');
  for (let i = 2; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join('\\');
    if (!ctx.comp.registry[mapKey(sub)]) ctx.comp.registry[mapKey(sub)] = { path: sub, values: {} };
  }
  return true;
}

function requireKey(ctx: Ctx, c: string): RegistryKey {
  const k = ctx.comp.registry[mapKey(c)];
  if (!k) {
    throw new SimFault({
      kind: 'NotFound',
      message: `Cannot find path '${c}' because it does not exist.`, // PowerShell PathNotFound wording (assumed)
      computer: ctx.comp.name,
      target: { type: 'registry', name: c },
    });
  }
  return k;
}

function inferKind(value: RegistryValue['value']): RegistryValueKind {
  if (Array.isArray(value)) return value.every((v) => typeof v === 'number') && value.length > 0 ? 'Binary' : 'MultiString';
  return typeof value === 'number' ? 'DWord' : 'String';
}

export function getValue(comp: ComputerState, path: string, name: string): RegistryValue | undefined {
  return getKey(comp, path)?.values[name.toLowerCase()];
}

/** Set-ItemProperty / New-ItemProperty: the key must exist. */
export function setValue(ctx: Ctx, path: string, name: string, value: RegistryValue['value'], kind?: RegistryValueKind): void {
  ctx.requireUp();
  const c = canonicalOrThrow(ctx, path);
  requireWriteAccess(ctx, c);
  const k = requireKey(ctx, c);
  const existing = k.values[name.toLowerCase()];
  k.values[name.toLowerCase()] = { name: existing?.name ?? name, kind: kind ?? existing?.kind ?? inferKind(value), value };
}

export function removeValue(ctx: Ctx, path: string, name: string): boolean {
  ctx.requireUp();
  const c = canonicalOrThrow(ctx, path);
  requireWriteAccess(ctx, c);
  const k = requireKey(ctx, c);
  const had = name.toLowerCase() in k.values;
  delete k.values[name.toLowerCase()];
  return had;
}

/** Removes a key and its subkeys (Remove-Item -Recurse). */
export function removeKey(ctx: Ctx, path: string): boolean {
  ctx.requireUp();
  const c = canonicalOrThrow(ctx, path);
  requireWriteAccess(ctx, c);
  const prefix = mapKey(c);
  let removed = false;
  for (const k of Object.keys(ctx.comp.registry)) {
    if (k === prefix || k.startsWith(prefix + '\\')) {
      delete ctx.comp.registry[k];
      removed = true;
    }
  }
  return removed;
}

/** Names of the direct subkeys. */
export function subKeys(comp: ComputerState, path: string): string[] {
  const c = normaliseRegistryPath(path);
  if (!c) return [];
  const prefix = mapKey(c) + '\\';
  return Object.values(comp.registry)
    .filter((k) => mapKey(k.path).startsWith(prefix) && !k.path.slice(prefix.length).includes('\\'))
    .map((k) => k.path.slice(prefix.length));
}
