/**
 * Reading and writing the event log.
 *
 * Read: one Get-WinEvent -FilterHashtable per source of interest (docs/sources.md §2.1-§2.4, §5):
 * Microsoft-Windows-IIS-IISReset (System), Microsoft-Windows-WAS (System) recycle/rapid-fail/
 * shutdown events, Service Control Manager (System) events, and iisctl's own audit source in the
 * Application log. "No events found" is a non-terminating NoMatchingEventsFound error in 5.1 (§5):
 * with -ErrorAction Stop it is caught and means an empty list. Each query is separate so that one
 * missing log or provider (e.g. no iisctl source yet) does not hide the others; any FQEID that
 * starts with NoMatching (NoMatchingEventsFound, NoMatchingLogsFound: §5) counts as empty.
 * Times are sent back as ISO strings (§3.5: 5.1 would otherwise emit \/Date(ms)\/).
 *
 * Write: Write-EventLog to the Application log with source "iisctl", registering the source with
 * New-EventLog first when it is missing.
 */
import { checkNumber, LIMITS } from '../limits';
import { DEFAULTS } from '../defaults';
import { invalidArgument } from '../errors';
import { asArray } from '../powershell/json';
import { ps, PsValue } from '../powershell/quote';
import type { PsCommand } from './command';

/**
 * The insertion strings of the event record in $_, in order: what EventLogRecord.Properties holds,
 * read without naming that member, which is on PowerShell's suspicious-content list
 * (lib/powershell/suspicious.ts) and would log every event read as a Warning 4104. The record's XML
 * (EventRecord.ToXml, learn.microsoft.com/dotnet/api/system.diagnostics.eventing.reader.eventrecord.toxml,
 * .NET Framework 3.5+) follows the Event schema (learn.microsoft.com/windows/win32/wes/
 * eventschema-eventtype-complextype): after System comes EventData, whose Data elements (Name
 * optional; classic entries have none) are the insertion strings, or UserData, one provider element
 * whose children are. The nodes are read by their .NET members (LocalName, ChildNodes, InnerText), not
 * through PowerShell's XML adapter, which turns a Data element without attributes into a string and one
 * with a Name into an XmlElement. Values come back as their XML text (numbers and names as they are).
 *
 * A character XML 1.0 does not allow (the controls other than tab, line feed and carriage return:
 * https://www.w3.org/TR/xml/#charsets) makes the [xml] cast fail for the whole call, whether it is
 * in the text raw or as a character reference (XmlDocument.LoadXml checks both:
 * https://learn.microsoft.com/dotnet/api/system.xml.xmlreadersettings.checkcharacters). Such a
 * character in an event's text (a pool named with U+0006, say) arrives as U+FFFD instead: how
 * Windows renders it in ToXml() is not settled by a source we have, so both forms are replaced.
 */
export const INSERTION_STRINGS = ps`@(foreach ($part in ([xml][regex]::Replace($_.ToXml(), '[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]|&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));', [string][char]0xFFFD)).DocumentElement.ChildNodes) {
        if ($part.LocalName -eq 'EventData') { foreach ($n in $part.ChildNodes) { if ($n.LocalName -eq 'Data') { $n.InnerText } } }
        elseif ($part.LocalName -eq 'UserData') { foreach ($n in $part.FirstChild.ChildNodes) { $n.InnerText } }
    })`;

export const AUDIT_SOURCE = 'iisctl';
export const AUDIT_LOG = 'Application';

export const EVENT_KINDS = ['reset', 'recycle', 'crash', 'service', 'audit'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

interface EventSourceQuery {
  logName: string;
  providerName: string;
  ids?: number[];
  kindOf(id: number): EventKind;
}

/** Which event ids mean what (docs/sources.md §2.1-§2.3; 5013: KB 2634635, §2.2). */
const SOURCES: readonly EventSourceQuery[] = [
  { logName: 'System', providerName: 'Microsoft-Windows-IIS-IISReset', ids: [3201, 3202, 3203, 3204, 3205, 3206], kindOf: () => 'reset' },
  {
    logName: 'System',
    providerName: 'Microsoft-Windows-WAS',
    ids: [5002, 5009, 5013, 5074, 5075, 5076, 5077, 5078, 5079, 5080, 5081, 5117, 5186],
    kindOf: (id) => ([5002, 5009, 5013].includes(id) ? 'crash' : 'recycle'),
  },
  // 7000/7001: a service (or one it depends on) failed to start (docs/sources.md §2.3).
  { logName: 'System', providerName: 'Service Control Manager', ids: [7000, 7001, 7031, 7034, 7036, 7040], kindOf: (id) => ([7031, 7034].includes(id) ? 'crash' : 'service') },
  { logName: AUDIT_LOG, providerName: AUDIT_SOURCE, kindOf: () => 'audit' },
];

export interface EventQuery {
  since?: Date;
  until?: Date;
  /** Newest first; at most this many per source, then overall. Default: DEFAULTS.eventsMax. */
  max?: number;
  kinds?: readonly EventKind[];
  /** SCM events are kept only for services with these display names (the IIS service set). */
  serviceDisplayNames?: readonly string[];
}

export interface EventRecord {
  time: Date;
  id: number;
  provider: string;
  log: string;
  level: string;
  message: string;
  machine: string;
  user?: string;
  kind: EventKind;
}

/** Refuses (INVALID_ARGUMENT) a query readEvents cannot run; callers check it before any round trip. */
export function validateEventQuery(query: EventQuery = {}): number {
  checkNumber('max', query.max, LIMITS.eventsMax);
  const max = query.max ?? DEFAULTS.eventsMax;
  if (query.since && query.until && query.since > query.until) throw invalidArgument('since must not be later than until.');
  return max;
}

export function readEvents(query: EventQuery = {}): PsCommand<EventRecord[]> {
  const max = validateEventQuery(query);
  const kinds = new Set(query.kinds ?? EVENT_KINDS);
  const sources = SOURCES.filter((s) => s.ids?.some((id) => kinds.has(s.kindOf(id))) ?? kinds.has(s.kindOf(0)));
  const filters = sources.map((s) => {
    const f: Record<string, PsValue> = { LogName: s.logName, ProviderName: s.providerName };
    const ids = s.ids?.filter((id) => kinds.has(s.kindOf(id)));
    if (ids) f.Id = ids;
    if (query.since) f.StartTime = query.since;
    if (query.until) f.EndTime = query.until;
    return f;
  });
  return {
    purpose: 'read IIS events',
    script: ps`$all = @()
foreach ($filter in ${filters}) {
    try {
        $all += @(Get-WinEvent -FilterHashtable $filter -MaxEvents ${max} -ErrorAction Stop)
    } catch {
        if (-not ([string]$_.FullyQualifiedErrorId).StartsWith('NoMatching')) { throw }
    }
}
@($all | ForEach-Object {
    [pscustomobject]@{
        Time = $_.TimeCreated.ToUniversalTime().ToString('o')
        Id = [int]$_.Id
        Provider = [string]$_.ProviderName
        Log = [string]$_.LogName
        Level = [string]$_.LevelDisplayName
        Message = [string]$_.Message
        Machine = [string]$_.MachineName
        UserId = [string]$_.UserId
        First = [string]${INSERTION_STRINGS}[0]
    }
})`,
    parse: (data) => parseEvents(data, query, max),
  };
}

export function parseEvents(data: unknown, query: Pick<EventQuery, 'serviceDisplayNames'>, max: number): EventRecord[] {
  const wanted = query.serviceDisplayNames?.map((n) => n.toLowerCase());
  const records = asArray<Record<string, unknown>>(data).flatMap((r): EventRecord[] => {
    const provider = String(r.Provider);
    const source = SOURCES.find((s) => s.providerName.toLowerCase() === provider.toLowerCase());
    if (!source) return [];
    const id = Number(r.Id);
    const first = typeof r.First === 'string' && r.First !== '' ? r.First : undefined;
    // SCM's first insertion string is the service's display name (docs/sources.md §2.3).
    if (source.providerName === 'Service Control Manager' && wanted && !(first && wanted.includes(first.toLowerCase()))) return [];
    const message = String(r.Message ?? '');
    return [
      {
        time: new Date(String(r.Time)),
        id,
        provider,
        log: String(r.Log),
        level: String(r.Level ?? ''),
        message,
        machine: String(r.Machine ?? ''),
        user: userOf(source.kindOf(id), first, message, r.UserId),
        kind: source.kindOf(id),
      },
    ];
  });
  return records.sort((a, b) => b.time.getTime() - a.time.getTime()).slice(0, max);
}

function userOf(kind: EventKind, first: string | undefined, message: string, userId: unknown): string | undefined {
  // IISReset 3201: "IIS start command received from user %1." (docs/sources.md §2.1).
  if (kind === 'reset' && first) return first;
  if (kind === 'audit') return /\buser=([^;]+);/.exec(message)?.[1];
  return typeof userId === 'string' && userId !== '' ? userId : undefined;
}

export interface AuditEntry {
  action: string;
  user: string;
  reason?: string;
  outcome: 'succeeded' | 'failed';
  detail?: string;
}

/** Event ids of iisctl's audit events, by action. */
export const AUDIT_EVENT_IDS: Readonly<Record<string, number>> = {
  stop: 1001,
  start: 1002,
  restart: 1003,
  disable: 1004,
  enable: 1005,
  'apppool-recycle': 1010,
  'apppool-start': 1011,
  'apppool-stop': 1012,
  'site-start': 1013,
  'site-stop': 1014,
  'site-restart': 1015,
  'apppool-configure': 1016,
  'recovery-enable': 1017,
  'recovery-disable': 1018,
  'backup-create': 1019,
  'backup-restore': 1020,
  reboot: 1021,
};

export function auditMessage(entry: AuditEntry): string {
  return `iisctl ${entry.action} ${entry.outcome}; user=${entry.user}; reason=${entry.reason ?? '(none)'};${entry.detail ? ` ${entry.detail}` : ''}`;
}

export function writeAuditEvent(entry: AuditEntry): PsCommand<void> {
  const eventId = AUDIT_EVENT_IDS[entry.action] ?? 1000;
  return {
    purpose: `write the audit event for ${entry.action}`,
    script: ps`New-EventLog -LogName ${AUDIT_LOG} -Source ${AUDIT_SOURCE} -ErrorAction SilentlyContinue
Write-EventLog -LogName ${AUDIT_LOG} -Source ${AUDIT_SOURCE} -EventId ${eventId} -EntryType ${entry.outcome === 'succeeded' ? 'Information' : 'Error'} -Message ${auditMessage(entry)}`,
    parse: () => undefined,
  };
}
