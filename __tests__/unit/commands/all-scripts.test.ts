import { wrapScript } from '../../../lib/powershell/envelope';
import { loadParser } from '../../../lib/sim/parser';
import { libraryCommands } from '../../helpers/library-scripts';

describe('every script the library generates', () => {
  const commands = libraryCommands();

  it.each(commands.map((c) => [c.name, c]))('%s parses without a syntax error, alone and in the envelope', async (_name, { command }) => {
    const parser = await loadParser();
    expect(parser.checkSyntax(command.script.text)).toEqual({ ok: true, errors: [] });
    const wrapped = wrapScript(command.script);
    expect(parser.checkSyntax(wrapped.script)).toEqual({ ok: true, errors: [] });
    expect(parser.checkSyntax(wrapped.line)).toEqual({ ok: true, errors: [] });
  });
});
