/**
 * A generated corpus of strings chosen to break naive quoting: every quote character PowerShell
 * knows, escape and expansion syntax, statement separators, line breaks, control and bidi
 * characters, emoji, and very long names. Deterministic, so a failure names a reproducible case.
 */
export const HOSTILE_ATOMS: readonly string[] = [
  "'", "''", "'''", '\u2018', '\u2019', '\u201A', '\u201B', '\u2018\u2019', "'\u2019", '"', '""', '\u201C', '\u201D', '\u201E',
  '`', '``', '`n', '`0', '`"', "`'", '$', '$x', '$null', '$true', '$(Get-Process)', '$(iex "calc")', '${env:PATH}', '@(1)', '@{a=1}',
  ';', ';Remove-Item C:\\ -Recurse', '|', '| Out-Null', '||', '&&', '&', '& calc.exe', '>', '>>', '2>&1', '<', '#', '<#', '#>',
  '\n', '\r', '\r\n', '\t', '\v', '\f', ' ', '  leading', 'trailing  ', '\u00A0', '\u2028', '\u2029', '\u0085',
  '\u200F', '\u202E', '\u200B', '\uFEFF', '\u0001', '\u001B[31m', '\u007F',
  '😀', '👩‍💻', '🇫🇷', '\uD83D\uDE00', 'Ä', 'é', 'ß', '日本語', 'עברית', 'العربية', 'Ω', '\u0301',
  '*', '?', '[', ']', '[a-z]', '[*]', '{', '}', '(', ')', ',', '-Force', '--%', '-', '--', '/', '\\', 'C:\\Windows',
  'IIS:\\AppPools\\', 'HKLM:\\SOFTWARE', '%PATH%', '!', '@', '^', '~', '+', '=', ':', '.', '..', '...',
];

export function hostileCorpus(): string[] {
  const out = new Set<string>();
  for (const a of HOSTILE_ATOMS) {
    out.add(a);
    out.add(`pool${a}name`);
    out.add(`${a}${a}`);
  }
  // Pairs of atoms, stepping through the list so that every atom meets several others.
  for (let i = 0; i < HOSTILE_ATOMS.length; i++) {
    for (const step of [1, 7, 31]) {
      const b = HOSTILE_ATOMS[(i + step) % HOSTILE_ATOMS.length];
      out.add(`${HOSTILE_ATOMS[i]}x${b}`);
    }
  }
  out.add("'; Stop-Computer -Force; '");
  out.add("\u2019; Remove-Item -Recurse C:\\; \u2018");
  out.add("name' + $(whoami) + '");
  out.add('"; & calc; "');
  out.add("line1\nline2'\n'; exit 1\n");
  out.add('');
  out.add('x'.repeat(10_000));
  out.add("'".repeat(5_000));
  out.add('\u2019'.repeat(3_333) + 'a');
  out.add('😀'.repeat(2_500));
  return [...out];
}
