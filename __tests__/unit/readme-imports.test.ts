/**
 * The READMEs' TypeScript examples import only what the package exports ("exports" in
 * package.json: 'iisctl' and 'iisctl/sim'); a deep import such as 'iisctl/dist/...' fails for a
 * user with ERR_PACKAGE_PATH_NOT_EXPORTED, so it must not appear.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as api from '../../lib/index';
import * as sim from '../../lib/sim/index';

const root = path.resolve(__dirname, '../..');
const entries: Record<string, Record<string, unknown>> = { iisctl: api, 'iisctl/sim': sim };

function imports(markdown: string): Array<{ names: string[]; from: string }> {
  const blocks = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((code) => [...code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)].map((m) => ({ names: m[1].split(',').map((n) => n.trim().split(/\s+as\s+/)[0]).filter(Boolean), from: m[2] })));
}

describe.each(['README.md', 'lib/sim/README.md'])('%s examples', (file) => {
  // Relative imports ('./state') are for contributors reading lib/sim; users import the package.
  const found = imports(fs.readFileSync(path.join(root, file), 'utf8')).filter((i) => i.from === 'iisctl' || i.from.startsWith('iisctl/'));

  it('import from the package entry points only, names each entry point exports', () => {
    expect(found.length).toBeGreaterThan(0);
    const exportsMap = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports;
    for (const { names, from } of found) {
      expect(Object.keys(exportsMap)).toContain(from === 'iisctl' ? '.' : `./${from.slice('iisctl/'.length)}`);
      const entry = entries[from];
      expect(entry).toBeDefined();
      for (const name of names) expect([from, name, name in entry]).toEqual([from, name, true]);
    }
  });
});

it("the README's session example works as written against the simulated host", async () => {
  const session = new api.PowerShellSession({ executable: api.resolveExecutable({ simulate: true }), callTimeoutMs: 60_000 });
  try {
    const service = "W3SVC";
    expect(await session.run(api.ps`(Get-Service -Name ${service}).Name`)).toBe('W3SVC');
  } finally {
    await session.close();
  }
});

it("the README's Public API list names exactly what lib/index.ts exports (values and types)", () => {
  const index = fs.readFileSync(path.join(root, 'lib/index.ts'), 'utf8');
  const exported = [...index.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((n) => n.trim().split(/\s+as\s+/).pop() ?? '').filter(Boolean));
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('### Public API (lib/index.ts)');
  expect(start).toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf('\n## ', start));
  const listed = [...section.matchAll(/^- [^:\n]+: (.*)$/gm)].flatMap((m) => [...m[1].matchAll(/`(\w+)`/g)].map((x) => x[1]));
  expect(exported.length).toBeGreaterThan(50);
  expect([...listed].sort()).toEqual([...exported].sort());
});
