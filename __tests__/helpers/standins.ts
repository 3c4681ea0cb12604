import * as path from 'node:path';
import { IisctlError } from '../../lib/errors';
import { resolveExecutable } from '../../lib/powershell/executable';
import { PowerShellSession, SessionOptions } from '../../lib/powershell/session';

export type StandIn = 'well-behaved' | 'hangs' | 'dies-mid-call' | 'dies-at-start' | 'noisy';

export function standInPath(name: StandIn): string {
  return path.join(__dirname, '..', 'fixtures', 'hosts', `${name}.js`);
}

export function standInSession(name: StandIn, options: Partial<SessionOptions> & { env?: Record<string, string> } = {}): PowerShellSession {
  const { env, ...rest } = options;
  return new PowerShellSession({ executable: resolveExecutable({ executable: standInPath(name), env }), ...rest });
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The IisctlError code a call failed with, or 'resolved'. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    expect(e).toBeInstanceOf(IisctlError);
    return (e as IisctlError).code;
  }
}
