/**
 * Whether a line of `-Command -` input is an unfinished statement, so that the host holds it in
 * block mode like ConsoleHost does (docs/sources.md §P2.1): an open brace/paren/bracket, an
 * unterminated string or here-string, a trailing pipe or line-continuation backtick.
 *
 * tree-sitter decides first (a tree without errors is complete); a small lexical scan then tells
 * "unfinished" (MISSING closer at the end) from "wrong" (a syntax error PowerShell reports at once).
 */
import type { PowerShellParser } from './parser';

export function isIncompleteSource(parser: PowerShellParser, source: string): boolean {
  const tree = parser.parse(source);
  try {
    if (!tree.rootNode.hasError) return false;
  } finally {
    tree.delete();
  }
  return lexicallyOpen(source);
}

/** Scans strings, comments and brackets; true when something is still open at the end. */
export function lexicallyOpen(src: string): boolean {
  const stack: string[] = [];
  let i = 0;
  const n = src.length;
  const atLineStart = (k: number) => k === 0 || src[k - 1] === '\n';
  while (i < n) {
    const c = src[i];
    if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '<' && src[i + 1] === '#') {
      const end = src.indexOf('#>', i + 2);
      if (end < 0) return true;
      i = end + 2;
      continue;
    }
    if (c === '@' && (src[i + 1] === '"' || src[i + 1] === "'") && /^[ \t]*(\r?\n|$)/.test(src.slice(i + 2))) {
      const q = src[i + 1];
      let k = src.indexOf('\n', i);
      if (k < 0) return true;
      for (;;) {
        const close = src.indexOf(q + '@', k);
        if (close < 0) return true;
        if (atLineStart(close)) {
          i = close + 2;
          break;
        }
        k = close + 1;
      }
      continue;
    }
    if (c === "'") {
      let k = i + 1;
      for (;;) {
        if (k >= n) return true;
        if (src[k] === "'") {
          if (src[k + 1] === "'") k += 2;
          else break;
        } else k++;
      }
      i = k + 1;
      continue;
    }
    if (c === '"') {
      let k = i + 1;
      for (;;) {
        if (k >= n) return true;
        if (src[k] === '`') k += 2;
        else if (src[k] === '"') {
          if (src[k + 1] === '"') k += 2;
          else break;
        } else k++;
      }
      i = k + 1;
      continue;
    }
    if (c === '`') {
      if (i + 1 >= n) return true;
      i += 2;
      continue;
    }
    if (c === '{' || c === '(' || c === '[') stack.push(c);
    else if (c === '}' || c === ')' || c === ']') stack.pop();
    i++;
  }
  if (stack.length > 0) return true;
  return /\|\s*$/.test(src);
}
