/**
 * Out-Default / Out-String rendering of objects. This is an APPROXIMATION of PowerShell's
 * formatting system (format.ps1xml views are not modelled): strings and primitives print as their
 * string form; objects with up to 4 properties print as a table, more as a list (the default rule
 * for PSCustomObject); hashtables print as a Name/Value table. Generated code never relies on it:
 * the library emits its result line with [Console]::Out.WriteLine.
 */
import { PsHashtable, PsObject, PsValue, toStr } from '../values';

function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join(' ').trimEnd();
  return ['', line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''];
}

export function formatForHost(items: PsValue[]): string {
  const lines: string[] = [];
  let i = 0;
  while (i < items.length) {
    const v = items[i];
    if (v instanceof PsHashtable) {
      const rows = v.entries().map((e) => [toStr(e.key), toStr(e.value)]);
      lines.push(...table(['Name', 'Value'], rows));
      i++;
      continue;
    }
    // A primitive wrapped with notes (remoting output) prints as its value.
    if (v instanceof PsObject && v.base === undefined && (v.isCustom || v.propertyNames().length > 0) && !v.toStringImpl) {
      // Group consecutive objects of the same shape, like the table formatter does.
      const names = v.propertyNames();
      const group: PsObject[] = [];
      while (i < items.length) {
        const w = items[i];
        if (!(w instanceof PsObject) || w.propertyNames().join('\0') !== names.join('\0')) break;
        group.push(w);
        i++;
      }
      if (names.length <= 4) {
        lines.push(...table(names, group.map((o) => names.map((n) => toStr(o.getProperty(n) ?? null)))));
      } else {
        const w = Math.max(...names.map((n) => n.length));
        for (const o of group) {
          lines.push('');
          for (const n of names) lines.push(`${n.padEnd(w)} : ${toStr(o.getProperty(n) ?? null)}`);
        }
        lines.push('');
      }
      continue;
    }
    lines.push(toStr(v));
    i++;
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
