/**
 * IIS configuration TimeSpans are written "[d.]hh:mm:ss[.fffffff]" (docs/sources.md §7.4: periodicRestart
 * time 29:00:00 is rendered "1.05:00:00" by IIS/.NET TimeSpan formatting).
 */

const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;

/** Milliseconds of an IIS TimeSpan string, or null when malformed. */
export function parseTimeSpan(text: string): number | null {
  const m = TIMESPAN.exec(text.trim());
  if (!m) return null;
  const [, d, h, mi, s, frac] = m;
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = Number(s);
  if (minutes > 59 || seconds > 59) return null;
  // "29:00:00" (hours beyond 23 without a day part) is how the docs write the default; accept it.
  const fracMs = frac ? Math.round(Number(('0.' + frac).padEnd(9, '0')) * 1000) : 0;
  return (((Number(d ?? 0) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000 + fracMs;
}

/** Canonical .NET TimeSpan rendering: "1.05:00:00", "00:05:00". */
export function formatTimeSpan(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const days = Math.floor(totalSeconds / 86400);
  const h = Math.floor((totalSeconds % 86400) / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  const core = `${pad(h)}:${pad(m)}:${pad(s)}`;
  return days > 0 ? `${days}.${core}` : core;
}

/** Normalises a valid TimeSpan string to its canonical form. */
export function normaliseTimeSpan(text: string): string {
  const ms = parseTimeSpan(text);
  if (ms === null) throw new Error(`invalid TimeSpan "${text}"`);
  return formatTimeSpan(ms);
}
