/**
 * The import graph matches the layers drawn in the README's Layout section: a file imports only
 * its own layer and the layers under it (and the shared single files of lib/: errors, limits,
 * log, hints, ...). In particular lib/control (one host) never imports the client, the many-host
 * layer lib/fleet or the public API: many-host orchestration sits above the client, not beside
 * the controllers. Every import is read: static, type-only, re-exports, import() and require().
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const LIB = path.resolve(__dirname, '../../lib');

/** Lowest first. Files of lib/ not named here (errors.ts, limits.ts, log.ts, ...) are shared (0). */
const LAYERS: Array<[name: string, where: string]> = [
  ['powershell', 'powershell/'],
  ['scripts', 'scripts/'],
  ['control', 'control/'],
  ['client', 'client.ts'],
  ['fleet', 'fleet/'],
  ['index', 'index.ts'],
  ['cli', 'cli/'],
];

/** The layer of a file of lib/ (by its path relative to lib/): its rank, 0 for shared, undefined outside the layers (lib/sim). */
function layerOf(rel: string): { rank: number; name: string } | undefined {
  const i = LAYERS.findIndex(([, where]) => (where.endsWith('/') ? rel.startsWith(where) : rel === where));
  if (i >= 0) return { rank: i + 1, name: LAYERS[i][0] };
  return rel.includes('/') ? undefined : { rank: 0, name: 'shared' };
}

/** Every module specifier a TypeScript source names. */
function specifiers(source: string): string[] {
  const file = ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) out.push(node.moduleSpecifier.text);
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) out.push(node.moduleReference.expression.text);
    if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) out.push(arg.text);
    }
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) out.push(node.argument.literal.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/** The imports of one file (path relative to lib/) that reach a higher layer, as "from -> to". */
function upwardImports(rel: string, source: string): string[] {
  const from = layerOf(rel);
  if (!from) return [];
  return specifiers(source)
    .filter((s) => s.startsWith('.'))
    .map((s) => path.relative(LIB, path.resolve(LIB, path.dirname(rel), s)).split(path.sep).join('/'))
    .map((target) => (fs.existsSync(path.join(LIB, target)) && fs.statSync(path.join(LIB, target)).isDirectory() ? `${target}/index` : target))
    .map((target) => target.replace(/\.(ts|js)$/, ''))
    .filter((target) => {
      const to = layerOf(`${target}.ts`);
      return to !== undefined && to.rank > from.rank;
    })
    .map((target) => `${rel} (${from.name}) -> ${target}`);
}

/**
 * The imports of a file of lib/cli that go around the public surface: into lib/powershell,
 * lib/scripts, lib/control, lib/fleet, lib/sim or the client module itself. The CLI reaches the
 * library through lib/index.ts (types with `import type`, so a cold start loads none of it), the
 * shared single files of lib/ (errors, limits, log, defaults, ...) and the simulator's lazy loader
 * lib/simulator.ts.
 */
function bypassesPublicSurface(rel: string, source: string): string[] {
  return specifiers(source)
    .filter((s) => s.startsWith('.'))
    .map((s) => path.relative(LIB, path.resolve(LIB, path.dirname(rel), s)).split(path.sep).join('/'))
    .filter((t) => /^(powershell|scripts|control|fleet|sim)(\/|$)/.test(t) || /^client(\.ts|\.js)?$/.test(t))
    .map((t) => `${rel} -> ${t}`);
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

describe('layers', () => {
  const files = sources(LIB).map((f) => path.relative(LIB, f).split(path.sep).join('/'));

  it('lib/control imports neither the client, the many-host layer nor the public API', () => {
    const control = files.filter((f) => f.startsWith('control/'));
    expect(control.length).toBeGreaterThan(5);
    const offending = control.flatMap((f) =>
      specifiers(fs.readFileSync(path.join(LIB, f), 'utf8'))
        .filter((s) => s.startsWith('.'))
        .map((s) => path.relative(LIB, path.resolve(LIB, path.dirname(f), s)).split(path.sep).join('/'))
        .filter((t) => /^(client|index)(\.ts)?$/.test(t) || /^(fleet|cli)(\/|$)/.test(t))
        .map((t) => `${f} -> ${t}`),
    );
    expect(offending).toEqual([]);
  });

  it('lib/cli imports only the public surface (lib/index.ts and the shared single files), never a layer under it', () => {
    const cli = files.filter((f) => f.startsWith('cli/'));
    expect(cli.length).toBeGreaterThan(10);
    const offending = cli.flatMap((f) => bypassesPublicSurface(f, fs.readFileSync(path.join(LIB, f), 'utf8')));
    expect(offending).toEqual([]);
  });

  it('the public-surface check sees every kind of import into a lower layer (it would catch one)', () => {
    const bypasses = [
      "import type { StatusResult } from '../control/iisServices';",
      "import { SETTING_NAMES } from '../scripts/settings';",
      "import { fanOut } from '../fleet/fanOut';",
      "const s = require('../powershell/session');",
      "let m: import('../sim/machine').Machine;",
      "import { connect } from '../client';",
    ];
    for (const line of bypasses) expect([line, bypassesPublicSurface('cli/x.ts', line).length]).toEqual([line, 1]);
    expect(bypassesPublicSurface('cli/commands/x.ts', "import type { AdviseResult } from '../../control/advise';")).toEqual(['cli/commands/x.ts -> control/advise']);
    expect(bypassesPublicSurface('cli/x.ts', "import type { IisClient } from '../index'; import { loadSimulator } from '../simulator'; import { DEFAULTS } from '../defaults'; import { render } from './render';")).toEqual([]);
  });

  it('no file of lib/ imports a layer above its own', () => {
    const offending = files.flatMap((f) => upwardImports(f, fs.readFileSync(path.join(LIB, f), 'utf8')));
    expect(offending).toEqual([]);
  });

  it('the check sees every kind of import (it would catch an upward arrow)', () => {
    const arrows = [
      "import { connect } from '../client';",
      "import type { IisClient } from '../client';",
      "export { connectMany } from '../fleet/fleet';",
      "const m = await import('../index');",
      "const c = require('../cli/main');",
      "let x: import('../client').IisClient;",
    ];
    for (const line of arrows) expect([line, upwardImports('control/x.ts', line).length]).toEqual([line, 1]);
    expect(upwardImports('control/x.ts', "import { ps } from '../powershell/quote'; import { LIMITS } from '../limits';")).toEqual([]);
    expect(upwardImports('fleet/x.ts', "import { connect } from '../client';")).toEqual([]);
    expect(upwardImports('scripts/x.ts', "import { HostLock } from '../control/lock';")).toEqual(['scripts/x.ts (scripts) -> control/lock']);
  });

  it("the README's Layout section names every layer directory, lib/fleet above lib/client.ts", () => {
    const readme = fs.readFileSync(path.resolve(LIB, '../README.md'), 'utf8');
    const layout = readme.slice(readme.indexOf('## Layout'));
    for (const [, where] of LAYERS) expect(layout).toContain(`lib/${where}`);
    expect(layout.indexOf('lib/fleet/')).toBeLessThan(layout.indexOf('lib/client.ts'));
  });
});
