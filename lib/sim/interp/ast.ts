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

export function copyTree(node: SyntaxNode): Ast {
  const children: Ast[] = [];
  for (const c of node.children) {
    if (!c || c.type === 'comment') continue;
    children.push(copyTree(c));
  }
  if (PASS_THROUGH.has(node.type) && children.length === 1) return children[0];
  return {
    type: node.type,
    named: node.isNamed,
    text: node.text,
    children,
    row: node.startPosition.row,
    col: node.startPosition.column,
    start: node.startIndex,
    end: node.endIndex,
  };
}

export function named(n: Ast): Ast[] {
  return n.children.filter((c) => c.named);
}

export function child(n: Ast, type: string): Ast | undefined {
  return n.children.find((c) => c.type === type);
}
