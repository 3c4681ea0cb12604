/**
 * Which program plays PowerShell.
 *
 * Order: the simulated host when asked to simulate; an explicit path; the IISCTL_POWERSHELL
 * environment variable; `pwsh` on request; otherwise the platform default: 64-bit Windows
 * PowerShell on Windows, even from a 32-bit Node (WebAdministration and the service cmdlets must
 * run in the 64-bit PowerShell: a 32-bit process on 64-bit Windows sees the redirected System32,
 * and %SystemRoot%\Sysnative is the documented way out: learn.microsoft.com/windows/win32/winprog64/file-system-redirector),
 * and `pwsh` elsewhere.
 *
 * A JavaScript file (the simulated host, or a stand-in written for tests) is run with this Node
 * binary rather than through a shebang, so it is spawnable on Windows too.
 */
import * as path from 'node:path';
import { loadSimulator } from '../simulator';

export interface ExecutableOptions {
  /** true: the simulated host with its default scenario; a string: a scenario file. */
  simulate?: boolean | string;
  /** An explicit PowerShell executable (or a .js stand-in host). */
  executable?: string;
  /** Use PowerShell 7 (`pwsh`) instead of Windows PowerShell 5.1. */
  pwsh?: boolean;
  /** Environment variables for the host process (e.g. IISCTL_SIM_STATE for the simulated host). */
  env?: Record<string, string | undefined>;
}

export interface ResolvedExecutable {
  /** The program to spawn. */
  command: string;
  /** Arguments that must come before PowerShell's own (the script path for a .js host). */
  leadingArgs: string[];
  /** Extra environment for the process. */
  env: Record<string, string>;
  /** For logs and errors: what was chosen and why. */
  description: string;
  /** True when this is the simulated host. */
  simulated: boolean;
}

interface Platform {
  platform: NodeJS.Platform;
  arch: string;
  env: NodeJS.ProcessEnv;
  nodePath: string;
}

const currentPlatform = (): Platform => ({
  platform: process.platform,
  arch: process.arch,
  env: process.env,
  nodePath: process.execPath,
});

export function resolveExecutable(options: ExecutableOptions = {}, platform: Platform = currentPlatform()): ResolvedExecutable {
  const extraEnv = definedOnly(options.env ?? {});
  if (options.simulate) {
    const host = loadSimulator().hostEntry();
    const scenarioEnv: Record<string, string> = typeof options.simulate === 'string' ? { IISCTL_SIM_SCENARIO: loadSimulator().resolveScenarioPath(options.simulate) } : {};
    return {
      ...viaNode(host, platform),
      env: { ...scenarioEnv, ...extraEnv },
      description: `simulated Windows host (${typeof options.simulate === 'string' ? options.simulate : 'default scenario'})`,
      simulated: true,
    };
  }
  const explicit = options.executable ?? nonEmpty(platform.env.IISCTL_POWERSHELL);
  if (explicit) {
    const source = options.executable ? 'explicit executable' : 'IISCTL_POWERSHELL';
    if (/\.(c|m)?js$/i.test(explicit)) {
      return { ...viaNode(path.resolve(explicit), platform), env: extraEnv, description: `${source}: ${explicit}`, simulated: false };
    }
    return { command: explicit, leadingArgs: [], env: { ...consoleEnv(platform), ...extraEnv }, description: `${source}: ${explicit}`, simulated: false };
  }
  if (options.pwsh) return { command: 'pwsh', leadingArgs: [], env: { ...consoleEnv(platform), ...extraEnv }, description: 'PowerShell 7 (pwsh)', simulated: false };
  if (platform.platform === 'win32') {
    return { command: windowsPowerShellPath(platform), leadingArgs: [], env: extraEnv, description: 'Windows PowerShell 5.1 (64-bit)', simulated: false };
  }
  return { command: 'pwsh', leadingArgs: [], env: { ...consoleEnv(platform), ...extraEnv }, description: 'PowerShell 7 (pwsh); use --simulate to try iisctl without Windows', simulated: false };
}

/**
 * PowerShell 7 on Linux/macOS writes terminal mode switches (ESC[?1h ESC[?1l, .NET's keypad mode
 * for the TERM in the environment) around its output even with stdin redirected; they broke
 * node-powershell's end-of-call detection now and then (calls hung until the deadline with real
 * pwsh 7.6, __tests__/real/session.test.ts). TERM=dumb has no such sequence.
 */
function consoleEnv(platform: Pick<Platform, 'platform'>): Record<string, string> {
  return platform.platform === 'win32' ? {} : { TERM: 'dumb' };
}

/**
 * 64-bit Windows PowerShell. A 32-bit process on 64-bit Windows has PROCESSOR_ARCHITEW6432 set
 * and must go through Sysnative to escape the System32 redirection.
 */
export function windowsPowerShellPath(platform: Pick<Platform, 'arch' | 'env'>): string {
  const root = platform.env.SystemRoot ?? platform.env.windir ?? 'C:\\Windows';
  const wow64 = platform.arch === 'ia32' && !!platform.env.PROCESSOR_ARCHITEW6432;
  return `${root}\\${wow64 ? 'Sysnative' : 'System32'}\\WindowsPowerShell\\v1.0\\powershell.exe`;
}

function viaNode(script: string, platform: Platform): Pick<ResolvedExecutable, 'command' | 'leadingArgs'> {
  // --no-warnings: a Node warning on stderr would fail the call it lands in (docs/sources.md §P1.4, §P1.10).
  return { command: platform.nodePath, leadingArgs: ['--no-warnings', script] };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v && v.trim() ? v : undefined;
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
