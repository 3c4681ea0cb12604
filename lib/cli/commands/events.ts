/**
 * `iisctl events`: resets, recycles, crashes, service changes and iisctl's audit events from the
 * host's event log, newest first.
 */
import { LIMITS } from '../../limits';
import { DEFAULTS } from '../../defaults';
import { EVENT_KINDS, EventKind, EventRecord } from '../../index';
import { forEachHost, Runtime, UsageError } from '../context';
import { CliCommand, handler } from '../handler';
import { Output, table, timestamp } from '../render';
import { pointInTime, single, cliNumber } from '../validate';

export const EVENTS_USAGE = `iisctl events [--since 24h|ISO] [--until 1h|ISO] [--max N] [--kind ${EVENT_KINDS.join(',')}] [-c HOST]...`;

interface EventsArgs {
  since?: string;
  until?: string;
  max?: number;
  kind?: string;
}

export const eventsCommand = (runtime: Runtime): CliCommand => ({
  builder: (y) =>
    y
      .option('since', { type: 'string', requiresArg: true, describe: `From: 30m, 24h, 7d ago, or an ISO date-time (default ${DEFAULTS.eventsSinceHours}h)` })
      .option('until', { type: 'string', requiresArg: true, describe: 'Up to: a duration ago or an ISO date-time (default now)' })
      .option('max', { type: 'number', requiresArg: true, describe: `At most N events (default ${DEFAULTS.eventsMax})` })
      .option('kind', { type: 'string', requiresArg: true, describe: `Comma-separated kinds: ${EVENT_KINDS.join(', ')}` }),
  run: handler<EventsArgs>(runtime, 'events', EVENTS_USAGE, (ctx, args) => {
    const now = Date.now();
    const since = pointInTime('since', args.since, EVENTS_USAGE, now) ?? new Date(now - DEFAULTS.eventsSinceHours * 3_600_000);
    const until = pointInTime('until', args.until, EVENTS_USAGE, now);
    if (until && since > until) throw new UsageError('--since is later than --until.', EVENTS_USAGE);
    const max = cliNumber('max', args.max, LIMITS.eventsMax, EVENTS_USAGE);
    const kinds = parseKinds(single('kind', args.kind as string | string[] | undefined, EVENTS_USAGE));
    return forEachHost(ctx, {
      run: (iis) => iis.events({ since, until, max, kinds }),
      human: (events) => renderEvents(ctx.out, events),
    });
  }),
});

function parseKinds(raw: string | undefined): EventKind[] | undefined {
  if (raw === undefined) return undefined;
  const kinds = raw.split(',').map((k) => k.trim().toLowerCase());
  const unknown = kinds.filter((k) => !(EVENT_KINDS as readonly string[]).includes(k));
  if (kinds.length === 0 || unknown.length) throw new UsageError(`--kind: unknown kind ${JSON.stringify(unknown.join(',') || raw)}; use ${EVENT_KINDS.join(', ')}.`, EVENTS_USAGE);
  return [...new Set(kinds)] as EventKind[];
}

function renderEvents(out: Output, events: EventRecord[]): void {
  if (events.length === 0) {
    out.line('No events.');
    return;
  }
  const rows = events.map((e) => [timestamp(e.time), e.kind, String(e.id), e.provider, firstLine(e.message)]);
  for (const l of table(['TIME', 'KIND', 'ID', 'SOURCE', 'MESSAGE'], rows)) out.line(l);
}

function firstLine(message: string): string {
  const line = message.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return line.length > 140 ? `${line.slice(0, 139)}…` : line;
}
