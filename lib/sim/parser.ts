/**
 * PowerShell grammar for the simulated host and for tests: tree-sitter-powershell compiled to
 * wasm, loaded through web-tree-sitter (no native build).
 *
 * Why `--liftoff-only`: with V8's default wasm tiering, the first parse starts a background
 * TurboFan compile of the large grammar module and the process then cannot exit for ~9 s.
 * Liftoff-only avoids that at no measurable parse cost (docs/sources.md
 * §P4). The flag must be set before web-tree-sitter compiles anything, so it is set at
 * module load, before the dynamic require below.
 *
 * Known grammar false positives (valid PowerShell reported as errors) that generated code must
 * avoid (same section): bare-word comma lists as command arguments (`Select-Object Name, State`;
 * quote them or use @('Name','State')), comment-only or param-only scripts, one-line `switch`.
 */
import * as v8 from 'node:v8';
import * as fs from 'node:fs';
import * as path from 'node:path';

v8.setFlagsFromString('--liftoff-only');

// Loaded lazily so that the flag above is in force first.
// eslint-disable-next-line @typescript-eslint/no-require-imports
type TreeSitterModule = typeof import('web-tree-sitter');
export type SyntaxNode = import('web-tree-sitter').Node;
export type SyntaxTree = import('web-tree-sitter').Tree;

export interface SyntaxProblem {
  line: number;
  column: number;
  kind: string;
}

export interface PowerShellParser {
  /** Parses a script; the caller must call `tree.delete()` (wasm trees are not garbage-collected). */
  parse(source: string): SyntaxTree;
  /** Parses and reports syntax problems; frees the tree. */
  checkSyntax(source: string): { ok: boolean; errors: SyntaxProblem[] };
}

let loading: Promise<PowerShellParser> | undefined;

/** The grammar is loaded once per process; every caller shares the parser. */
export function loadParser(): Promise<PowerShellParser> {
  loading ??= createParser();
  return loading;
}

async function createParser(): Promise<PowerShellParser> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('web-tree-sitter') as TreeSitterModule;
  await ts.Parser.init();
  const grammarPath = path.join(
    path.dirname(require.resolve('tree-sitter-powershell/package.json')),
    'tree-sitter-powershell.wasm',
  );
  // Bytes, not a path: loading by path does a dynamic import, which jest's VM cannot run.
  const language = await ts.Language.load(fs.readFileSync(grammarPath));
  const parser = new ts.Parser();
  parser.setLanguage(language);

  const parse = (source: string): SyntaxTree => {
    const tree = parser.parse(source);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return tree;
  };

  return {
    parse,
    checkSyntax(source: string) {
      const tree = parse(source);
      try {
        // hasError is the verdict: some MISSING nodes sit under hidden rules and a walk alone
        // misses them (docs/sources.md §P4).
        if (!tree.rootNode.hasError) return { ok: true, errors: [] };
        return { ok: false, errors: describeErrors(tree.rootNode) };
      } finally {
        tree.delete();
      }
    },
  };
}

function describeErrors(root: SyntaxNode): SyntaxProblem[] {
  const errors: SyntaxProblem[] = [];
  const walk = (node: SyntaxNode): void => {
    if (node.isError || node.isMissing) {
      errors.push({
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        kind: node.isMissing ? `missing ${node.type}` : 'unexpected token',
      });
      return;
    }
    const bad = node.children.filter((c): c is SyntaxNode => !!c && (c.hasError || c.isError || c.isMissing));
    if (bad.length) bad.forEach(walk);
    else errors.push({ line: node.startPosition.row + 1, column: node.startPosition.column + 1, kind: `error inside ${node.type}` });
  };
  walk(root);
  return errors;
}
