/**
 * The simulated host's engine choice (lib/sim/engine.ts): IISCTL_SIM_ENGINE / simulate.engine.
 * auto stays the interpreter until the pwsh engine runs the end-to-end tier (README).
 */
import { chooseEngine } from '../../../lib/sim/engine';
import { isIisctlError } from '../../../lib/errors';
import { PWSH } from '../../helpers/real-pwsh';
import { connect } from '../../../lib/client';

describe('chooseEngine', () => {
  it('defaults to auto, which is the interpreter for now, and says so', () => {
    const c = chooseEngine(undefined, {});
    expect(c).toMatchObject({ engine: 'interp', requested: 'auto' });
    expect(c.why).toMatch(/^interp \(auto: /);
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
