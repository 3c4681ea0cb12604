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

  const parseOnce = (source: string): SyntaxTree => {
    const tree = parser.parse(source);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return tree;
  };
  // PowerShell's tokenizer ends a single-quoted string at any of ' U+2018 U+2019 U+201A U+201B
  // not doubled; the grammar knows only '. Each such quote is read as the ' it stands for and the
  // text parsed again, so the tree is the one PowerShell's tokenizer would make.
  const parse = (source: string): SyntaxTree => {
    let text = source;
    for (;;) {
      const tree = parseOnce(text);
      // Only a typographic quote can need a fix: without one, no walk of the whole tree (cold start: README, Benchmarks).
      const fixes = TYPOGRAPHIC_QUOTE.test(text) ? typographicQuoteFixes(tree.rootNode) : [];
      if (fixes.length === 0) return tree;
      tree.delete();
      for (const at of fixes) text = text.slice(0, at) + "'" + text.slice(at + 1);
    }
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

const SINGLE_QUOTE = /['\u2018\u2019\u201A\u201B]/;
const TYPOGRAPHIC_QUOTE = /[\u2018\u2019\u201A\u201B]/;

/**
 * Offsets of the typographic single quotes inside the grammar's single-quoted strings that
 * PowerShell reads differently: a lone one ends the string there, and one just before the
 * closing ' is the first of a doubled pair (both stand for one quote either way, so the string's
 * value is unchanged). PowerShell's tokenizer: CharExtensions.IsSingleQuote (U+0027, U+2018,
 * U+2019, U+201A, U+201B) used by Tokenizer.ScanStringLiteral, src/System.Management.Automation/
 * engine/parser/CharTraits.cs and tokenizer.cs of the PowerShell repository; checked with pwsh:
 * `$x = 'a’; Write-Output pwned; ’'` prints pwned.
 */
function typographicQuoteFixes(root: SyntaxNode): number[] {
  const fixes: number[] = [];
  const walk = (n: SyntaxNode): void => {
    if (n.type === 'verbatim_string_characters') {
      const t = n.text;
      if (t.length < 2 || t[0] !== "'" || t[t.length - 1] !== "'") return;
      const inner = t.slice(1, -1);
      for (let i = 0; i < inner.length; i++) {
        if (!SINGLE_QUOTE.test(inner[i])) continue;
        const last = i === inner.length - 1;
        if (!last && SINGLE_QUOTE.test(inner[i + 1])) {
          i++;
          continue;
        }
        if (inner[i] !== "'") fixes.push(n.startIndex + 1 + i);
        // A lone quote ends the string: the rest is parsed again after the fix.
        if (!last) break;
      }
      return;
    }
    for (const c of n.children) if (c) walk(c);
  };
  walk(root);
  return fixes;
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
