/**
 * Issue 8, hostile input, builder level: for every command builder that takes user text (pool,
 * site, service and computer names, reason text, audit fields, event filters, lock details), random
 * and adversarial strings (fast-check unicode strings plus the hostile corpus) must
 *   - reach the script as string literals that decode (PowerShell's single-quote rules) to exactly
 *     the input, and
 *   - leave the script's syntax tree identical to the one built from a harmless value: the same
 *     commands, the same statements, nothing added — so no input can become code.
 * Inputs PowerShell cannot carry unchanged (NUL, lone surrogates) must be refused with
 * INVALID_ARGUMENT before anything is built. At least 1 000 cases per API (FC_RUNS overrides).
 */
import fc from 'fast-check';
import type { PsCommand } from '../../lib/scripts/command';
import { readEvents } from '../../lib/scripts/events';
import { disableRestarts } from '../../lib/scripts/toggle';
import { isIisctlError } from '../../lib/errors';
import { fromSingleLine, wrapScript } from '../../lib/powershell/envelope';
import { unquoteVerbatim } from '../../lib/powershell/quote';
import { loadParser, PowerShellParser } from '../../lib/sim/parser';
import { hostileCorpus } from '../helpers/hostile';
import { Arrival, TEXT_BUILDERS } from '../helpers/text-builders';

const RUNS = Number(process.env.FC_RUNS ?? 1000);
jest.setTimeout(300_000);

/** Random text of every kind plus the hand-made corpus. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom("'", '\u2018', '\u2019', '\u201A', '\u201B', '"', '`', '$', '(', ')', ';', '|', '&', '\n', '\r', '#', '<', '>', '{', '}', '@', ' ', '-', 'a'), maxLength: 30 }) },
  { weight: 3, arbitrary: fc.constantFrom(...hostileCorpus()) },
);

interface Shape {
  /** Pre-order node types; a string literal is one opaque node. */
  types: string[];
  /** Decoded values of the single-quoted literals. */
  literals: string[];
  commands: string[];
}

/**
 * The walk goes by a tree cursor, not by `children`: web-tree-sitter builds a Node object for every
 * child it lists, and these trees have thousands of nodes (most of this file's time otherwise).
 */
function parseShape(parser: PowerShellParser, script: string): Shape {
  const tree = parser.parse(script);
  const shape: Shape = { types: [], literals: [], commands: [] };
  const cursor = tree.walk();
  // No ERROR or MISSING node anywhere unless the root has an error (tree-sitter's hasError counts
  // both), so the per-node isMissing call is needed only then.
  const hasError = tree.rootNode.hasError;
  const literal = (text: string): void => {
    shape.types.push('STRING');
    // Our own scripts only use single-quoted (verbatim) literals for values.
    if (/^['\u2018\u2019\u201A\u201B]/.test(text)) shape.literals.push(unquoteVerbatim(text));
  };
  // The node under the cursor and its subtree; the cursor is back on that node afterwards.
  const visit = (): void => {
    const type = cursor.nodeType;
    // A literal in parentheses (quote.ts writes a lone '--%' so) is the same one opaque value.
    if (type === 'parenthesized_expression') {
      const n = cursor.currentNode;
      const inner = n.text.slice(1, -1).trim();
      const lit = n.descendantsOfType('string_literal').find((d) => d?.text === inner);
      if (lit) {
        literal(lit.text);
        return;
      }
    }
    if (type === 'string_literal') {
      literal(cursor.nodeText);
      return;
    }
    if (hasError && (type === 'ERROR' || cursor.nodeIsMissing)) shape.types.push(`!${type}`);
    shape.types.push(type);
    if (type === 'command_name') shape.commands.push(cursor.nodeText.toLowerCase());
    if (cursor.gotoFirstChild()) {
      do visit();
      while (cursor.gotoNextSibling());
      cursor.gotoParent();
    }
  };
  try {
    visit();
  } finally {
    cursor.delete();
    tree.delete();
  }
  return shape;
}

/**
 * Shapes by script text: the same script (a corpus string drawn again, fast-check's small
 * strings) is parsed once. Shapes are only read.
 */
const shapes = new Map<string, Shape>();
function shapeOf(parser: PowerShellParser, script: string): Shape {
  let shape = shapes.get(script);
  if (!shape) {
    shape = parseShape(parser, script);
    shapes.set(script, shape);
  }
  return shape;
}

/**
 * expect(actual).toEqual(expected) for two long lists of strings, compared element by element
 * first: jest's deep equality on a thousand-node list, for every case, cost more than the parse.
 */
function expectSameList(actual: string[], expected: string[]): void {
  if (actual.length !== expected.length || actual.some((x, i) => x !== expected[i])) expect(actual).toEqual(expected);
}

/** What PowerShell cannot carry: quote() refuses it. */
const unrepresentable = (s: string) => s.includes('\0') || /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/** Every builder that takes user text, and how the text must arrive (helpers/text-builders.ts). */
const APIS: Array<[string, (s: string) => PsCommand<unknown>, Arrival]> = TEXT_BUILDERS.map((b) => [b.name, b.build, b.arrival]);

describe('hostile input never becomes code (builders, tree-sitter-powershell)', () => {
  let parser: PowerShellParser;
  beforeAll(async () => {
    parser = await loadParser();
  });

  it.each(APIS)('%s', (_name, build, mode = 'exact') => {
    const baseline = shapeOf(parser, build('harmless').script.text);
    expect(baseline.types.some((t) => t.startsWith('!'))).toBe(false);
    fc.assert(
      fc.property(hostileText, (s) => {
        let command: PsCommand<unknown>;
        try {
          command = build(s);
        } catch (e) {
          // Refusing is fine (nothing reaches a host): NUL/lone surrogates always, and a builder's
          // own checks (empty or over-long names) — always as INVALID_ARGUMENT, never anything else.
          expect(isIisctlError(e, 'INVALID_ARGUMENT')).toBe(true);
          return;
        }
        expect(unrepresentable(s)).toBe(false);
        const shape = shapeOf(parser, command.script.text);
        expectSameList(shape.types, baseline.types);
        expectSameList(shape.commands, baseline.commands);
        const sent = mode === 'trimmed' ? s.trim() : s;
        if (mode === 'embedded') expect(shape.literals.some((l) => l.includes(s))).toBe(true);
        else expect(shape.literals).toContain(sent);
        // Every literal is one of the builder's constants or carries the input.
        // (A computer name is also the key of its PSSession in a hashtable: lower-cased.)
        // One expect for all of them (an expect call costs a stack trace; scripts have ~50 literals).
        expect(shape.literals.filter((lit) => !(baseline.literals.includes(lit) || lit === sent || lit.includes(s) || lit.includes(sent) || (mode === 'trimmed' && lit === sent.toLowerCase())))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('event filters: any date reaches the host as its exact ISO 8601 instant', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(Date.UTC(1971, 0, 1)), max: new Date(Date.UTC(9000, 0, 1)), noInvalidDate: true }), fc.date({ min: new Date(Date.UTC(9000, 0, 2)), max: new Date(Date.UTC(9999, 0, 1)), noInvalidDate: true }), (since, until) => {
        const shape = shapeOf(parser, readEvents({ since, until, max: 10 }).script.text);
        expect(shape.literals).toContain(since.toISOString());
        expect(shape.literals).toContain(until.toISOString());
        expect(shape.commands).toEqual(['get-winevent', 'foreach-object']);
      }),
      { numRuns: RUNS },
    );
  });

  it('the envelope around a hostile body stays one ASCII line that decodes to the body', () => {
    fc.assert(
      fc.property(hostileText, (s) => {
        if (unrepresentable(s)) return;
        const body = disableRestarts(s).script;
        const w = wrapScript(body);
        expect(/^[\x20-\x7e]+$/.test(w.line)).toBe(true);
        expect(fromSingleLine(w.line)).toBe(w.script);
        expect(w.script.includes(body.text)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
