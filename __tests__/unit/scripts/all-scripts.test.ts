import { onComputer, parseRemoteTarget } from '../../../lib/scripts/remote';
import { wrapScript } from '../../../lib/powershell/envelope';
import { suspiciousContent } from '../../../lib/powershell/suspicious';
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

/**
 * PowerShell logs a script block that holds one of its suspicious-content words as a Warning 4104
 * event even without script block logging (lib/powershell/suspicious.ts cites the list). No script
 * the library sends, locally or to a remote computer, nor the stdin line that carries it, holds one:
 * checked conservatively (each word as a case-insensitive substring anywhere in the text), with no
 * exception: the event reads take the insertion strings from the record's XML, not from
 * EventLogRecord.Properties ('Properties' is on the list).
 */

describe('no script holds a suspicious-content word', () => {
  it.each(libraryCommands().map((c) => [c.name, c]))('%s, alone, on a remote computer and in the stdin line', (_name, { command }) => {
    for (const c of [command, onComputer(parseRemoteTarget('WEB02', { credential: { userName: 'CONTOSO\\ann', password: 'pw-1234567' } }), command)]) {
      const wrapped = wrapScript(c.script);
      const found = new Set([...suspiciousContent(wrapped.script), ...suspiciousContent(wrapped.line)]);
      expect([...found]).toEqual([]);
    }
  });

  it('the suspicious-content check itself finds a word in any case, inside a literal too', () => {
    expect(suspiciousContent("Write-Output 'a frombase64string b'")).toEqual(['FromBase64String']);
    expect(suspiciousContent('$x.Properties')).toEqual(['Properties']);
  });
});
