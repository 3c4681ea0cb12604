/**
 * Stop and start order of a set of services, from their dependencies.
 *
 * The SCM refuses to stop a service whose dependents are still running (PowerShell/PowerShell
 * ServiceResources.resx, ServiceHasDependentServices) and starts dependencies first, so iisctl works in waves: a stop wave
 * holds the services none of whose remaining dependents is still to be stopped (W3SVC and the
 * Net.* adapters, then WAS, then IISADMIN: docs/sources.md §1.4); start waves are the same in reverse.
 */
import { IisctlError } from '../errors';

export interface DependencyInfo {
  name: string;
  /** Names of the services this one depends on (only those inside the set matter). */
  dependsOn: readonly string[];
}

/** Waves of names to stop: each wave's members have no dependent left in a later wave. */
export function stopWaves(services: readonly DependencyInfo[]): string[][] {
  const names = new Set(services.map((s) => s.name.toLowerCase()));
  const dependents = new Map<string, Set<string>>();
  for (const s of services) {
    for (const d of s.dependsOn) {
      const key = d.toLowerCase();
      if (!names.has(key)) continue;
      if (!dependents.has(key)) dependents.set(key, new Set());
      dependents.get(key)!.add(s.name.toLowerCase());
    }
  }
  const remaining = new Map(services.map((s) => [s.name.toLowerCase(), s.name]));
  const waves: string[][] = [];
  while (remaining.size > 0) {
    const wave = [...remaining.entries()].filter(([key]) => ![...(dependents.get(key) ?? [])].some((d) => remaining.has(d)));
    if (wave.length === 0) {
      throw new IisctlError('FAILED', `The services ${[...remaining.values()].join(', ')} depend on each other in a cycle; no stop order exists.`);
    }
    waves.push(wave.map(([, name]) => name).sort());
    for (const [key] of wave) remaining.delete(key);
  }
  return waves;
}

/** Waves of names to start: dependencies first. */
export function startWaves(services: readonly DependencyInfo[]): string[][] {
  return stopWaves(services).reverse();
}
