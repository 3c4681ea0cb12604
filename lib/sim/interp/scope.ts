/**
 * Variable scopes: `&` runs a script block in a child scope, `.` in the current one; lookups walk
 * outwards, assignment writes the current scope (about_Scopes). `$global:` is the root scope,
 * `$script:` the nearest scope marked as a script scope, `$local:` the current one.
 */
import { PsValue } from '../values';

interface Slot {
  name: string;
  value: PsValue;
}

export class Scope {
  private readonly vars = new Map<string, Slot>();
  constructor(public readonly parent?: Scope, public readonly isScript = false) {}

  lookup(name: string): Slot | undefined {
    const k = name.toLowerCase();
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.vars.get(k);
      if (v) return v;
    }
    return undefined;
  }
  get(name: string): PsValue | undefined {
    return this.lookup(name)?.value;
  }
  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }
  setLocal(name: string, value: PsValue): void {
    const k = name.toLowerCase();
    const existing = this.vars.get(k);
    if (existing) existing.value = value;
    else this.vars.set(k, { name, value });
  }
  removeLocal(name: string): void {
    this.vars.delete(name.toLowerCase());
  }
  root(): Scope {
    let s: Scope = this;
    while (s.parent) s = s.parent;
    return s;
  }
  scriptScope(): Scope {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.isScript) return s;
    return this.root();
  }
}
