import { hostileCorpus } from '../../helpers/hostile';
import { joinCode, ps, PsCode, quote, quoteString, unquoteVerbatim } from '../../../lib/powershell/quote';
import { loadParser, PowerShellParser, SyntaxNode } from '../../../lib/sim/parser';
import { IisctlError } from '../../../lib/errors';

let parser: PowerShellParser;
beforeAll(async () => {
  parser = await loadParser();
});

/** The string_literal nodes of a parsed script. */
function stringLiterals(source: string): { count: number; texts: string[]; hasError: boolean } {
  const tree = parser.parse(source);
  try {
    const texts: string[] = [];
    const walk = (n: SyntaxNode): void => {
      if (n.type === 'string_literal') {
        texts.push(n.text);
        return;
      }
      for (const c of n.children) if (c) walk(c);
    };
    walk(tree.rootNode);
    return { count: texts.length, texts, hasError: tree.rootNode.hasError };
  } finally {
    tree.delete();
  }
}

describe('quoteString against a PowerShell grammar', () => {
  const corpus = hostileCorpus();

  it('has a corpus of at least 500 hostile strings', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(500);
  });

  it('makes every hostile string exactly one string literal whose value is the input', () => {
    const failures: string[] = [];
    for (const value of corpus) {
      const literal = quoteString(value);
      for (const source of [`$x = ${literal}`, `Get-Service -Name ${literal}`, `Write-Output ${literal} | Out-Null`]) {
        const parsed = stringLiterals(source);
        if (parsed.hasError || parsed.count !== 1 || parsed.texts[0] !== literal || unquoteVerbatim(parsed.texts[0]) !== value) {
          failures.push(JSON.stringify(value).slice(0, 80) + ' in ' + JSON.stringify(source.slice(0, 30)));
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('doubles each of the five PowerShell single-quote characters', () => {
    expect(quoteString("it's")).toBe("'it''s'");
    expect(quoteString('\u2018a\u2019b\u201Ac\u201Bd')).toBe("'\u2018\u2018a\u2019\u2019b\u201A\u201Ac\u201B\u201Bd'");
  });

  it('would be caught doubling only the ASCII quote: the parser ends a string at a lone U+2019 as PowerShell does', () => {
    const value = "a\u2019; Write-Output pwned; \u2019b";
    const asciiOnly = `'${value.replace(/'/g, "''")}'`;
    expect(stringLiterals(`$x = ${asciiOnly}`)).not.toEqual({ count: 1, texts: [quoteString(value)], hasError: false });
    expect(stringLiterals(`$x = ${quoteString(value)}`)).toEqual({ count: 1, texts: [quoteString(value)], hasError: false });
  });

  it('leaves expansion syntax inert (single quotes never expand)', () => {
    expect(quoteString('$(Get-Process) `n ${x}')).toBe("'$(Get-Process) `n ${x}'");
  });

  it('rejects NUL and unpaired surrogates with INVALID_ARGUMENT', () => {
    for (const bad of ['a\0b', '\uD800', 'x\uDC00y']) {
      expect(() => quoteString(bad)).toThrow(IisctlError);
      try {
        quoteString(bad);
      } catch (e) {
        expect((e as IisctlError).code).toBe('INVALID_ARGUMENT');
      }
    }
    expect(quoteString('\uD83D\uDE00')).toBe("'\uD83D\uDE00'");
  });
});

describe('quote for other values', () => {
  it('renders numbers, booleans and null', () => {
    expect(quote(42)).toBe('42');
    expect(quote(-5)).toBe('(-5)');
    expect(quote(1.5)).toBe('1.5');
    expect(quote(-0)).toBe('0');
    expect(quote(true)).toBe('$true');
    expect(quote(false)).toBe('$false');
    expect(quote(null)).toBe('$null');
  });

  it('rejects non-finite numbers', () => {
    for (const n of [NaN, Infinity, -Infinity]) expect(() => quote(n)).toThrow(/finite/);
  });

  it('renders arrays and hashtables with every element quoted', () => {
    expect(quote(['a', "b'c", 1])).toBe("@('a', 'b''c', 1)");
    expect(quote([])).toBe('@()');
    expect(quote({ LogName: 'System', ID: [7036, 7031], skip: undefined })).toBe("@{'LogName' = 'System'; 'ID' = @(7036, 7031)}");
    expect(quote({ "k'ey": '$v' })).toBe("@{'k''ey' = '$v'}");
  });

  it('renders dates as an ISO round-trip string parsed on the host', () => {
    const text = quote(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)));
    expect(text).toContain("'2024-01-02T03:04:05.006Z'");
    expect(text).toContain('RoundtripKind');
    expect(() => quote(new Date(NaN))).toThrow(/valid date/);
  });

  it('rejects values that are not data', () => {
    expect(() => quote((() => 1) as unknown as string)).toThrow(IisctlError);
    expect(() => quote(new Map() as unknown as string)).toThrow(/plain objects/);
  });

  it('produces syntactically valid PowerShell for nested values', () => {
    const nested = quote({ LogName: ['System', 'Application'], StartTime: new Date(0), Level: [1, 2], Note: "'; exit", Flag: true, Nothing: null });
    const check = parser.checkSyntax(`$f = ${nested}`);
    expect(check).toEqual({ ok: true, errors: [] });
  });
});

describe('ps template', () => {
  it('quotes interpolated strings and inserts PsCode fragments verbatim', () => {
    const name = "x'; Stop-Computer; '";
    const inner = ps`Get-Service -Name ${name}`;
    expect(inner).toBeInstanceOf(PsCode);
    expect(inner.text).toBe("Get-Service -Name 'x''; Stop-Computer; '''");
    const outer = ps`$s = ${inner}; ${'a'}`;
    expect(outer.text).toBe("$s = Get-Service -Name 'x''; Stop-Computer; '''; 'a'");
  });

  it("puts a lone '--%' in parentheses, where PowerShell cannot take it for the stop-parsing token", () => {
    // Quoted, it still drops the parameters after it (PowerShell/PowerShell issue 11608; seen in real pwsh 7.6).
    expect(ps`New-PSSession -ComputerName ${'--%'} -ErrorAction Stop`.text).toBe("New-PSSession -ComputerName ('--%') -ErrorAction Stop");
    expect(ps`Get-Item -Path ${['--%', '--%x']}`.text).toBe("Get-Item -Path @(('--%'), '--%x')");
    expect(quoteString('--%')).toBe("'--%'");
  });

  it('joins fragments', () => {
    expect(joinCode([ps`a`, ps`b`], '; ').text).toBe('a; b');
  });
});
