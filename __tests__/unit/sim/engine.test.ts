/**
 * The simulated host's engine choice (lib/sim/engine.ts): IISCTL_SIM_ENGINE / simulate.engine.
 * auto is pwsh where PowerShell 7 can be found, else the interpreter (README, "The simulated host's engines").
 */
import { chooseEngine } from '../../../lib/sim/engine';
import { isIisctlError } from '../../../lib/errors';
import { PWSH } from '../../helpers/real-pwsh';
import { connect } from '../../../lib/client';

describe('chooseEngine', () => {
  const found = () => ({ found: { command: '/opt/pwsh/pwsh', args: [] } });
  const missing = () => ({ missing: 'pwsh is neither on PATH nor installed in .tools/powershell (make pwsh)' });

  it('defaults to auto: real pwsh where it can be found, and says so', () => {
    const c = chooseEngine(undefined, {}, found);
    expect(c).toMatchObject({ engine: 'pwsh', requested: 'auto', pwsh: { command: '/opt/pwsh/pwsh' } });
    expect(c.why).toMatch(/^pwsh \(auto: real PowerShell 7 found, \/opt\/pwsh\/pwsh; IISCTL_SIM_ENGINE=interp /);
  });

  it('auto without pwsh is the interpreter, and says why', () => {
    const c = chooseEngine('auto', {}, missing);
    expect(c).toMatchObject({ engine: 'interp', requested: 'auto' });
    expect(c.why).toMatch(/^interp \(auto: pwsh is neither on PATH nor installed/);
  });

  it('pwsh asked for but not found is POWERSHELL_UNAVAILABLE, never the interpreter', () => {
    let caught: unknown;
    try {
      chooseEngine('pwsh', {}, missing);
    } catch (e) {
      caught = e;
    }
    expect(isIisctlError(caught, 'POWERSHELL_UNAVAILABLE')).toBe(true);
  });

  it('takes IISCTL_SIM_ENGINE when no option is given, the option first', () => {
    expect(chooseEngine(undefined, { IISCTL_SIM_ENGINE: 'INTERP' })).toMatchObject({ engine: 'interp', requested: 'interp' });
    expect(chooseEngine('auto', { IISCTL_SIM_ENGINE: 'interp' })).toMatchObject({ requested: 'auto' });
  });

  it('refuses an unknown engine with INVALID_ARGUMENT', () => {
    let caught: unknown;
    try {
      chooseEngine(undefined, { IISCTL_SIM_ENGINE: 'bash' });
    } catch (e) {
      caught = e;
    }
    expect(isIisctlError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toContain('"bash"');
  });

  (PWSH ? it : it.skip)('pwsh: found by the one locator (scripts/real-pwsh.js), with the command that starts it', () => {
    const c = chooseEngine('pwsh', process.env);
    expect(c.engine).toBe('pwsh');
    expect(c.pwsh?.command).toBeTruthy();
  });
});

describe('simulate.engine through connect()', () => {
  it('an unknown engine fails in connect(), before any simulated host starts (in process or as a process)', async () => {
    for (const inProcess of [true, false]) {
      let caught: unknown;
      try {
        await connect({ simulate: { inProcess, engine: 'bash' as never } });
      } catch (e) {
        caught = e;
      }
      expect(isIisctlError(caught, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});
