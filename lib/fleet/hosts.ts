/**
 * The host list of a many-host run, checked once before anything is sent anywhere: every name a
 * valid computer name, and no computer named twice — the same operation twice on one machine
 * would run one after the other under its host lock, restarting it twice.
 *
 * Names that reach the same machine, known without asking the network:
 * - letter case: computer names and DNS names compare without case (RFC 4343, "Domain Name System
 *   (DNS) Case Insensitivity Clarification");
 * - a trailing dot: `web01.contoso.local.` is the absolute form of `web01.contoso.local` (RFC 1034,
 *   section 3.1);
 * - this machine: New-PSSession's -ComputerName takes "the computer name, localhost, or a dot (.)"
 *   for the local computer (https://learn.microsoft.com/powershell/module/microsoft.powershell.core/new-pssession,
 *   parameter ComputerName), and 127.0.0.0/8 and ::1 are loopback addresses (RFC 1122 section
 *   3.2.1.3, RFC 4291 section 2.5.3).
 * A short name and its FQDN, an alias or an IP address of a remote machine cannot be matched
 * without DNS (README, Known limits); the host lock still keeps their operations apart.
 */
import { invalidArgument } from '../errors';
import { isParsed, markParsed } from '../parse';
import { ComputerName, parseComputerName } from '../scripts/remote';
import { ConnectOptions, connectOptionsOn, ParsedConnectOptions, parseSharedConnectOptions } from '../client';

/** A host list as checkHosts returns it: valid computer names, at least one, no machine twice. */
export type CheckedHosts = readonly ComputerName[];

const THIS_MACHINE = '\0this machine';

/** What identifies the machine a name reaches, as far as the name alone tells. */
export function machineKey(name: string): string {
  const key = name.trim().toLowerCase().replace(/\.$/, '');
  if (key === 'localhost' || key === '' || key === '::1' || key === '[::1]' || /^127(\.\d{1,3}){3}$/.test(key)) return THIS_MACHINE;
  return key;
}

/**
 * The hosts, trimmed and checked: each a valid computer name (INVALID_ARGUMENT names the bad one),
 * at least one, and no two reaching the same machine. A list this returned is taken as it is.
 */
export function checkHosts(names: readonly string[]): CheckedHosts {
  if (isCheckedHosts(names)) return names;
  if (names.length === 0) throw invalidArgument('At least one host is needed.');
  const hosts = names.map((n) => parseComputerName(n));
  const seen = new Map<string, string>();
  for (const host of hosts) {
    const key = machineKey(host);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, host);
    else if (first.toLowerCase() === host.toLowerCase()) throw invalidArgument(`The host ${host} is given twice.`);
    else throw invalidArgument(`The hosts ${first} and ${host} are the same computer.`);
  }
  return markParsed(hosts);
}

function isCheckedHosts(names: readonly string[]): names is CheckedHosts {
  return isParsed(names);
}

/**
 * The same connection options for each of several computers, checked once: the hosts (as
 * checkHosts) and the options (as parseConnectOptions, the credential built once for all).
 * connect() takes each as it is.
 */
export function parseHostsOptions(hosts: readonly string[], options: Omit<ConnectOptions, 'computerName'>): ParsedConnectOptions[] {
  const checked = checkHosts(hosts);
  const shared = parseSharedConnectOptions(options, true);
  return checked.map((host) => connectOptionsOn(shared, host));
}
