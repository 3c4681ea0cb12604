/**
 * The interpreter's copy of a tree-sitter tree (lib/sim/interp/ast.ts `copyTree`, walked with one
 * cursor, rows and columns computed from offsets) against a copy made the plain way, node by node
 * through web-tree-sitter's Node API (`children`, `text`, `startPosition`): the same tree for every
 * script the library generates, with plain and hostile text (multi-line, comments, non-ASCII).
 */
import { loadParser, type SyntaxNode } from '../../../lib/sim/parser';
import { copyTree, type Ast } from '../../../lib/sim/interp/ast';
import { allScripts } from '../../helpers/all-scripts';

/** The reference: every node read through the Node API. Wrappers with one child are collapsed as copyTree does. */
function reference(node: SyntaxNode, collapsed: ReadonlySet<string>): Ast {
  const children: Ast[] = [];
  for (const c of node.children) if (c && c.type !== 'comment') children.push(reference(c, collapsed));
  if (collapsed.has(node.type) && children.length === 1) return children[0];
  return { type: node.type, named: node.isNamed, text: node.text, children, row: node.startPosition.row, col: node.startPosition.column, start: node.startIndex, end: node.endIndex };
}

/** The wrapper types copyTree collapsed somewhere: read off copies, so the reference uses the same rule. */
const WRAPPERS = new Set(['logical_expression', 'bitwise_expression', 'comparison_expression', 'additive_expression', 'multiplicative_expression', 'format_expression', 'range_expression', 'array_literal_expression', 'unary_expression', 'argument_expression', 'logical_argument_expression', 'bitwise_argument_expression', 'comparison_argument_expression', 'additive_argument_expression', 'multiplicative_argument_expression', 'format_argument_expression', 'range_argument_expression', 'left_assignment_expression', 'key_expression']);

describe('copyTree', () => {
  it('copies every generated script exactly as the Node API reads it', async () => {
    const parser = await loadParser();
    const scripts = [
      ...allScripts().map((s) => s.text),
      "# a comment\r\n$a = 'é€𝄞' # trailing\n\n  Get-Service -Name ('x' + \"y$($a)\") |\n    Where-Object { $_.Status -eq 'Running' }\n<# block\ncomment #>\n$b = @{ k = 1 }",
    ];
    expect(scripts.length).toBeGreaterThan(250);
    for (const source of scripts) {
      const tree = parser.parse(source);
      try {
        const copy = copyTree(tree.rootNode, source);
        const want = reference(tree.rootNode, WRAPPERS);
        // Element-wise first: jest's diff of two large trees is slow, and only needed on a failure.
        if (JSON.stringify(copy) !== JSON.stringify(want)) expect(copy).toEqual(want);
      } finally {
        tree.delete();
      }
    }
  });
});
