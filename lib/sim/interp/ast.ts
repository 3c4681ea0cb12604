/**
 * Plain-object copy of a tree-sitter-powershell tree.
 *
 * The interpreter never holds wasm nodes: trees are copied into these objects right after parsing
 * and freed at once (wasm trees are not garbage-collected, and script blocks can outlive the call
 * that parsed them). Single-child expression wrappers (logical_expression > bitwise_expression >
 * ... > unary_expression) are collapsed so that evaluation sees the meaningful node directly.
 */
import type { SyntaxNode } from '../parser';

export interface Ast {
  type: string;
  named: boolean;
  text: string;
  children: Ast[];
  /** 0-based row/column of the start, and UTF-16 offsets in the source. */
  row: number;
  col: number;
  start: number;
  end: number;
}

/** Wrapper rules that add nothing when they have a single child. */
const PASS_THROUGH = new Set([
  'logical_expression', 'bitwise_expression', 'comparison_expression', 'additive_expression',
  'multiplicative_expression', 'format_expression', 'range_expression', 'array_literal_expression',
  'unary_expression', 'argument_expression', 'logical_argument_expression', 'bitwise_argument_expression',
  'comparison_argument_expression', 'additive_argument_expression', 'multiplicative_argument_expression',
  'format_argument_expression', 'range_argument_expression', 'left_assignment_expression', 'key_expression',
]);

/**
 * The copy of a whole tree, walked with one tree cursor: `node.children` makes web-tree-sitter
 * build a Node object for every child it lists (a distinct script is parsed and copied once, and
 * property tests send thousands; the cursor copy takes about 60 % of the time). Texts are slices
 * of `source`, the text that was parsed (the nodes' offsets are UTF-16 offsets into it).
 */
export function copyTree(root: SyntaxNode, source: string): Ast {
  // Row and column from the offset (tree-sitter's rows end at \n, its columns count from the row's start).
  const lineStarts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  let row = 0;
  const cursor = root.walk();
  const copy = (): Ast | undefined => {
    const type = cursor.nodeType;
    if (type === 'comment') return undefined;
    const named = cursor.nodeIsNamed;
    const start = cursor.startIndex;
    const end = cursor.endIndex;
    // In pre-order the starts never decrease, so the row only moves forward.
    while (row + 1 < lineStarts.length && lineStarts[row + 1] <= start) row++;
    const nodeRow = row;
    const children: Ast[] = [];
    if (cursor.gotoFirstChild()) {
      do {
        const c = copy();
        if (c) children.push(c);
      } while (cursor.gotoNextSibling());
      cursor.gotoParent();
    }
    if (PASS_THROUGH.has(type) && children.length === 1) return children[0];
    return { type, named, text: source.slice(start, end), children, row: nodeRow, col: start - lineStarts[nodeRow], start, end };
  };
  try {
    return copy() as Ast; // the root is a program, never a comment
  } finally {
    cursor.delete();
  }
}

export function named(n: Ast): Ast[] {
  return n.children.filter((c) => c.named);
}

export function child(n: Ast, type: string): Ast | undefined {
  return n.children.find((c) => c.type === type);
}
