/**
 * Parse, don't validate: what a caller gives (the CLI's options, the public API's arguments) is
 * checked once, where it comes in, and becomes a checked type; the layers below take only the
 * checked types, so the compiler proves a value was parsed and nothing checks it again.
 *
 * A checked type is its plain type with a brand no value has by accident: only its parse function
 * makes one (ComputerName, RemoteAuth: scripts/remote.ts; CheckedLockOptions: control/lock.ts;
 * ParsedConnectOptions: client.ts; CheckedHosts: fleet/hosts.ts).
 */
declare const checked: unique symbol;

/** T, checked by the parse function of `Name`. */
export type Checked<T, Name extends string> = T & { readonly [checked]: Name };

/** What a parse function returns once its checks passed: the value, branded (the only place a brand is given). */
export function brand<T, Name extends string>(value: T, _name: Name): Checked<T, Name> {
  return value as Checked<T, Name>;
}

/**
 * Objects parsed by this process, for the entry points that take either raw input or its parsed
 * form (connect(), connectMany()): a parsed object is frozen and known here, so it is taken as it
 * is, while anything else is parsed. A brand exists at compile time only; this is its run-time
 * witness.
 */
const parsedObjects = new WeakSet<object>();

export function markParsed<T extends object>(value: T): T {
  parsedObjects.add(Object.freeze(value));
  return value;
}

export function isParsed(value: unknown): boolean {
  return typeof value === 'object' && value !== null && parsedObjects.has(value);
}
