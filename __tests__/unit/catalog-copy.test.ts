import * as fs from 'node:fs';
import * as path from 'node:path';
import { Catalog } from '../../lib/sim/catalog';

// The package ships its own copy of the cmdlet catalog; it must stay identical to the shared one.
const shared = path.resolve(__dirname, '../../../shared/powershell/cmdlets.json');
const ours = path.resolve(__dirname, '../../lib/sim/cmdlets.json');

(fs.existsSync(shared) ? it : it.skip)('lib/sim/cmdlets.json is an unchanged copy of ../shared/powershell/cmdlets.json', () => {
  expect(fs.readFileSync(ours).equals(fs.readFileSync(shared))).toBe(true);
});

it('the shipped catalog lists the cmdlets iisctl relies on', () => {
  const catalog = JSON.parse(fs.readFileSync(ours, 'utf8')) as { cmdlets: Record<string, unknown> };
  for (const name of ['Get-Service', 'Stop-Service', 'Start-Service', 'Get-WinEvent', 'Invoke-Command', 'Stop-WebAppPool', 'ConvertTo-Json']) {
    expect(catalog.cmdlets[name]).toBeDefined();
  }
});

describe('the supplement catalog (lib/sim/cmdlets-supplement.json)', () => {
  type Entry = { parameterSets: Array<{ parameters: Array<Record<string, unknown>> } & Record<string, unknown>> } & Record<string, unknown>;
  const main = JSON.parse(fs.readFileSync(ours, 'utf8')) as { cmdlets: Record<string, Entry> };
  const extra = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../lib/sim/cmdlets-supplement.json'), 'utf8')) as { source: { paths: Record<string, string> }; cmdlets: Record<string, Entry> };
  const keysOf = (objects: Array<Record<string, unknown>>) => [...new Set(objects.flatMap((o) => Object.keys(o)))].sort();
  const sets = (c: Record<string, Entry>) => Object.values(c).flatMap((e) => e.parameterSets);

  it('holds only cmdlets the shared catalog lacks, each with its MicrosoftDocs source recorded', () => {
    expect(Object.keys(extra.cmdlets)).toEqual(['Import-Clixml']);
    for (const [name, e] of Object.entries(extra.cmdlets)) {
      expect(main.cmdlets[name]).toBeUndefined();
      expect(e).toMatchObject({ docRepo: 'MicrosoftDocs/PowerShell-Docs', docPath: expect.stringMatching(/^reference\/5\.1\/.+\.md$/), docCommit: expect.stringMatching(/^[0-9a-f]{40}$/) });
      expect(extra.source.paths[name]).toContain(e.docPath as string);
    }
  });

  it('uses exactly the entry format of the shared catalog (cmdlet, parameter set and parameter keys)', () => {
    const required = (objects: Array<Record<string, unknown>>) => keysOf(objects).filter((k) => objects.every((o) => k in o));
    // Every key the shared catalog always has, and no key it never has.
    for (const [ours2, theirs] of [
      [Object.values(extra.cmdlets), Object.values(main.cmdlets)],
      [sets(extra.cmdlets), sets(main.cmdlets)],
      [sets(extra.cmdlets).flatMap((s) => s.parameters), sets(main.cmdlets).flatMap((s) => s.parameters)],
    ] as Array<[Array<Record<string, unknown>>, Array<Record<string, unknown>>]>) {
      for (const o of ours2) {
        expect(required(theirs).filter((k) => !(k in o))).toEqual([]);
        expect(Object.keys(o).filter((k) => !keysOf(theirs).includes(k))).toEqual([]);
      }
    }
  });

  it('is merged by the catalog the simulator binds against: Import-Clixml -LiteralPath binds ByLiteralPath, -PSPath is its alias', () => {
    const c = Catalog.load();
    const bound = c.bind('Import-Clixml', [{ kind: 'param', name: 'PSPath', text: '-PSPath', hasValue: false }, { kind: 'arg', value: 'C:\\c.xml', text: "'C:\\c.xml'" }], false);
    expect(bound.parameterSetName).toBe('ByLiteralPath');
    expect(bound.params.get('LiteralPath')).toEqual(['C:\\c.xml']);
    expect(c.cmdletTypeName('Import-Clixml')).toBe('Microsoft.PowerShell.Commands.ImportClixmlCommand');
    expect(c.has('Get-Service')).toBe(true);
  });
});
