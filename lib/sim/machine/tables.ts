/**
 * The machine's name-keyed tables (services, pools, sites) are plain objects that travel as JSON.
 * Look up and add only own entries, so that "constructor", "toString" or "__proto__" are names
 * like any other: a plain lookup would find Object.prototype's members, and a plain assignment to
 * "__proto__" would set the prototype instead of adding an entry.
 */
export function ownEntry<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

export function setEntry<T>(table: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
}
