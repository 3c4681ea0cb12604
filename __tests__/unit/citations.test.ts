/**
 * Every "why" in the code can be followed from a clone: comments cite a public source (a Microsoft
 * Learn page, a PowerShell/PowerShell file, a KB number, an issue thread) or a section of
 * docs/sources.md, never a document outside the repository ("../shared/reference/...", "ref §1.5",
 * "iis-reference.md 4.3", "peers.md pain point 1") nor a project-tracker number ("issue 4",
 * "semantics 3").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** Citations that point outside the repository, each with what it looked like. */
const OUTSIDE: ReadonlyArray<[RegExp, string]> = [
  [/\.\.\/shared\b|\bshared\/(?:reference|powershell)\b/, 'a path into the shared folder outside the repository'],
  [/\/work\//, 'an absolute path of the development machine'],
  [/\biis-reference\b|\bnode-powershell\.md\b|\bpeers\.md\b/, 'a reference file that is not in the repository'],
  [/\bref(?:erence)? ?§/, '"ref §N": the reference folder outside the repository'],
  [/\breference (?:section )?\d/, '"reference N.N": the reference folder outside the repository'],
  [/\bpain points? \d/, '"pain point N": the peers notes outside the repository'],
  [/\bissues? \d+\b/, '"issue N": a tracker number, not the behaviour it stood for'],
  [/\bsemantics \d+\b/, '"semantics N": a tracker number, not the behaviour it stood for'],
  [/\(brief\b|\bbrief\s*[;)]/, '"(brief)": name the project rule instead'],
];

const SECTION = /§([PU]?\d+(?:\.\d+)?)(?![\d.])/g;

export function outsideCitations(text: string): Array<{ line: number; what: string; text: string }> {
  const found: Array<{ line: number; what: string; text: string }> = [];
  text.split('\n').forEach((line, i) => {
    for (const [pattern, what] of OUTSIDE) if (pattern.test(line)) found.push({ line: i + 1, what, text: line.trim() });
  });
  return found;
}

/** The § sections a file cites from docs/sources.md (JSON files spell § as \u00a7). */
export function citedSections(text: string): string[] {
  const plain = text.replace(/\\u00a7/gi, '§');
  if (!plain.includes('docs/sources.md')) return [];
  // A file that cites docs/sources.md uses bare "§N" for it too; other documents' sections
  // (XPath 1.0 §3.7, [MS-IISS] §3.1.4.1) are named with their document.
  const cleaned = plain.replace(/XPath 1\.0 §[\d.]+/g, '').replace(/\[MS-[A-Z]+\][^\n]*?§[\d.]+/g, '');
  return [...cleaned.matchAll(SECTION)].map((m) => m[1]);
}

function files(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return files(rel);
    return /\.(ts|js|json|md)$/.test(e.name) ? [rel] : [];
  });
}

const scanned = [...files('lib'), ...files('scripts'), ...files('docs')];
const sourcesText = fs.readFileSync(path.join(root, 'docs/sources.md'), 'utf8');
const headings = new Set([...sourcesText.matchAll(/^#{2,3} §([PU]?\d+(?:\.\d+)?)\s/gm)].map((m) => m[1]));

describe('citations resolvable from a clone', () => {
  it('the scanner recognises every outside citation form (so this suite can fail)', () => {
    const samples = [
      ' * Facts from ../shared/reference/iis-reference.md:',
      ' * Every value cites /work/shared/reference/iis-reference.md',
      '/** Win32_Service (ref §3.6). */',
      '// NODE_POWERSHELL overrides the executable (reference 1.1).',
      ' * only when no worker is left (peers.md pain point 1)',
      ' * replaced every old one (pain point 5: false success)',
      '// Never kill a shared svchost (issue 4, semantics 3).',
      '/** Fails with Win32 5 (brief; ref §1.7). */',
      ' * block mode like ConsoleHost does (node-powershell.md 1.2)',
    ];
    for (const s of samples) expect([s, outsideCitations(s).length > 0]).toEqual([s, true]);
    expect(outsideCitations(' * (docs/sources.md §1.5; KB 969864; PowerShell/PowerShell Service.cs; ansible/ansible#33771)')).toEqual([]);
  });

  it('docs/sources.md numbers its sections and has the ones the code relies on most', () => {
    for (const s of ['1.2', '1.5', '2.3', '3.2', '4.1', '4.3', '7.4', 'P2.1', 'P3', 'U1']) expect([s, headings.has(s)]).toEqual([s, true]);
    expect(citedSections('x (docs/sources.md §1.2-§1.5, §P2.1); §U11 and XPath 1.0 §9.9')).toEqual(['1.2', '1.5', 'P2.1', 'U11']);
    expect(citedSections('no citation of the file, §9.9')).toEqual([]);
  });

  it('no file under lib/, scripts/ or docs/ cites anything outside the repository', () => {
    const bad = scanned.flatMap((f) => outsideCitations(fs.readFileSync(path.join(root, f), 'utf8')).map((c) => `${f}:${c.line}: ${c.what}: ${c.text}`));
    expect(bad).toEqual([]);
  });

  it('every docs/sources.md § cited in lib/, scripts/ and the READMEs exists as a heading there', () => {
    const missing = [...scanned, 'README.md'].flatMap((f) =>
      citedSections(fs.readFileSync(path.join(root, f), 'utf8'))
        .filter((s) => !headings.has(s))
        .map((s) => `${f}: §${s}`),
    );
    expect(missing).toEqual([]);
  });
});
