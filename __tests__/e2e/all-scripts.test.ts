/**
 * Every script the library generates runs on the simulated host without a binding or syntax
 * problem: it may fail for a reason of the machine (a hostile pool name does not exist), never
 * because PowerShell would reject the script itself.
 */
import * as path from 'node:path';
import { IisctlError } from '../../lib/errors';
import { runCommand } from '../../lib/scripts/command';
import { resolveExecutable } from '../../lib/powershell/executable';
import { PowerShellSession } from '../../lib/powershell/session';
import { libraryCommands } from '../helpers/library-scripts';
import { scenarioFile, tempDir } from '../helpers/sim';

/** Error ids that mean the script itself is wrong (catalog binding, grammar, simulator subset). */
const SCRIPT_FAULTS = /^(CommandNotFoundException|NamedParameterNotFound|AmbiguousParameter|MissingMandatoryParameter|ParameterArgumentValidationError|CannotConvertArgument|PositionalParameterNotFound|AmbiguousParameterSet|ParseException|NotSupportedBySimulatedHost|NotImplementedBySimulatedHost)/;

let session: PowerShellSession;
beforeAll(() => {
  session = new PowerShellSession({
    executable: resolveExecutable({ simulate: scenarioFile('farm'), env: { IISCTL_SIM_STATE: path.join(tempDir(), 'state.json') } }),
  });
});
afterAll(() => session.close());

it.each(libraryCommands().map((c) => [c.name, c]))('%s', async (_name, { command }) => {
  try {
    await runCommand(session, command);
  } catch (error) {
    expect(error).toBeInstanceOf(IisctlError);
    const e = error as IisctlError;
    expect({ code: e.code, fqid: e.powershell?.fullyQualifiedErrorId ?? '' }).not.toMatchObject({ fqid: expect.stringMatching(SCRIPT_FAULTS) });
    expect(['SESSION_DIED', 'SESSION_TIMEOUT']).not.toContain(e.code);
    if (!e.powershell) throw error; // a failure that did not come from PowerShell is a bug here
  }
});
