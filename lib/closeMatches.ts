/**
 * "Did you mean" for names: shared by the selectors (pools, sites) and the CLI's iisreset
 * switches. No imports, so the CLI can load it on any path without the library.
 */

/** Up to three existing names close to `name`: same letters ignoring case, a containing name, or a small edit distance. */
export function closeMatches(name: string, available: readonly string[]): string[] {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(lower.length / 3));
  return available
    .map((n) => {
      const l = n.toLowerCase();
      const score = l.includes(lower) || lower.includes(l) ? 0.5 : editDistance(lower, l);
      return { n, score };
    })
    .filter((x) => x.score <= limit)
    .sort((a, b) => a.score - b.score || a.n.localeCompare(b.n))
    .slice(0, 3)
    .map((x) => x.n);
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}
