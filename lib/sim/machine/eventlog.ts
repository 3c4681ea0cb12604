/**
 * Event logs of one computer: append records, register classic sources (New-EventLog) and
 * write entries as a source (Write-EventLog).
 */
import { EntryTypeLevels, LevelDisplayNames } from './constants';
import { escapeXml } from '../interp/xml';
import { SimFault } from './faults';
import type { EventTemplate } from './messages';
import type { ComputerState, EventLogState, EventRecord } from './types';

export const DEFAULT_MAX_RECORDS = 2000;

/** Sources every Windows Server with IIS has (docs/sources.md §2.1-§2.3). */
export const BUILTIN_SOURCES: Record<string, string> = {
  'Service Control Manager': 'System',
  'Microsoft-Windows-WAS': 'System',
  'Microsoft-Windows-IIS-IISReset': 'System',
};

export function newEventLog(name: string, maxRecords = DEFAULT_MAX_RECORDS): EventLogState {
  return { name, nextRecordId: 1, maxRecords, records: [] };
}

function logOf(comp: ComputerState, logName: string): EventLogState | undefined {
  return comp.eventLogs[logName.toLowerCase()];
}

export interface EventUser {
  sid: string | null;
  name: string | null;
}

/** Appends a record; drops the oldest beyond the log's size (Windows "overwrite as needed"). */
export function appendEvent(comp: ComputerState, tpl: EventTemplate, at: number, user: EventUser = { sid: null, name: null }): EventRecord {
  const log = logOf(comp, tpl.logName);
  if (!log) throw new Error(`event log ${tpl.logName} missing on ${comp.name}`);
  const rec: EventRecord = {
    recordId: log.nextRecordId++,
    id: tpl.id,
    providerName: tpl.providerName,
    logName: log.name,
    level: tpl.level,
    levelDisplayName: LevelDisplayNames[tpl.level] ?? 'Information',
    timeCreated: at,
    message: tpl.message,
    properties: [...tpl.properties],
    machineName: comp.fqdn,
    userId: user.sid,
    userName: user.name,
  };
  log.records.push(rec);
  if (log.records.length > log.maxRecords) log.records.splice(0, log.records.length - log.maxRecords);
  return rec;
}

/**
 * New-EventLog semantics: a source can be registered once per computer. Error text is
 * EventlogResources.SourceExistInComp from PowerShell's source:
 * 'The "{2}" source is already registered on the "{1}" computer.' ({1} is "localhost" when
 * no -ComputerName was given, as seen in real output). New-EventLog needs elevation
 * (New-EventLog notes, learn.microsoft.com/powershell/module/microsoft.powershell.management/new-eventlog?view=powershell-5.1) — the caller checks admin.
 */
export function registerSource(comp: ComputerState, logName: string, source: string, computerLabel = 'localhost'): void {
  const existing = comp.eventSources[source.toLowerCase()];
  if (existing) {
    throw new SimFault({
      kind: 'SourceExists',
      message: `The "${source}" source is already registered on the "${computerLabel}" computer.`,
      computer: comp.name,
      target: { type: 'eventSource', name: existing.source },
    });
  }
  // A new log is created with its first source (New-EventLog "creates a new event log and a new event source").
  let log = logOf(comp, logName);
  if (!log) {
    log = newEventLog(logName);
    comp.eventLogs[logName.toLowerCase()] = log;
  }
  comp.eventSources[source.toLowerCase()] = { source, log: log.name };
}

export interface WriteEntry {
  logName: string;
  source: string;
  eventId: number;
  entryType?: string;
  message: string;
  category?: number;
}

/**
 * Write-EventLog semantics: the log and the source must exist. Texts from PowerShell's
 * EventlogResources: LogDoesNotExist 'The Log name "{0}" does not exist in the computer "{1}".'
 * and SourceDoesNotExist 'The source name "{2}" does not exist on computer "{1}".'.
 * Writing to a log other than the source's own is rejected (message assumed).
 */
export function writeEntry(comp: ComputerState, e: WriteEntry, at: number, computerLabel = 'localhost'): EventRecord {
  const log = logOf(comp, e.logName);
  if (!log) {
    throw new SimFault({
      kind: 'LogNotFound',
      message: `The Log name "${e.logName}" does not exist in the computer "${computerLabel}".`,
      computer: comp.name,
      target: { type: 'eventLog', name: e.logName },
    });
  }
  const reg = comp.eventSources[e.source.toLowerCase()];
  if (!reg) {
    throw new SimFault({
      kind: 'SourceNotFound',
      message: `The source name "${e.source}" does not exist on computer "${computerLabel}".`,
      computer: comp.name,
      target: { type: 'eventSource', name: e.source },
    });
  }
  if (reg.log.toLowerCase() !== log.name.toLowerCase()) {
    throw new SimFault({
      kind: 'InvalidArgument',
      message: `The source '${reg.source}' is not registered in log '${log.name}'. (It is registered in log '${reg.log}'.)`, // assumed text
      computer: comp.name,
      target: { type: 'eventSource', name: reg.source },
    });
  }
  const entryType = e.entryType ?? 'Information';
  const level = EntryTypeLevels[entryType];
  if (level === undefined) {
    throw new SimFault({
      kind: 'InvalidArgument',
      message: `Unknown EntryType '${entryType}'.`,
      computer: comp.name,
      target: { type: 'eventLog', name: log.name },
    });
  }
  return appendEvent(
    comp,
    { id: e.eventId, providerName: reg.source, logName: log.name as 'Application', level, message: e.message, properties: [e.message] },
    at,
    // Classic Write-EventLog entries carry no user SID (assumed: no -UserName parameter exists).
    { sid: null, name: null },
  );
}

export interface EventQuery {
  logName?: string | string[];
  providerName?: string | string[];
  id?: number | number[];
  level?: number | number[];
  startTime?: number;
  endTime?: number;
}

const asList = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/** Records matching a FilterHashtable-like query, newest first (Get-WinEvent default order, docs/sources.md §5). */
export function queryEvents(comp: ComputerState, q: EventQuery = {}): EventRecord[] {
  const logs = asList(q.logName)?.map((l) => l.toLowerCase());
  const providers = asList(q.providerName)?.map((p) => p.toLowerCase());
  const ids = asList(q.id);
  const levels = asList(q.level);
  const out: EventRecord[] = [];
  for (const log of Object.values(comp.eventLogs)) {
    if (logs && !logs.includes(log.name.toLowerCase())) continue;
    for (const r of log.records) {
      if (providers && !providers.includes(r.providerName.toLowerCase())) continue;
      if (ids && !ids.includes(r.id)) continue;
      if (levels && !levels.includes(r.level)) continue;
      if (q.startTime !== undefined && r.timeCreated < q.startTime) continue;
      if (q.endTime !== undefined && r.timeCreated > q.endTime) continue;
      out.push(r);
    }
  }
  return out.sort((a, b) => b.timeCreated - a.timeCreated || b.recordId - a.recordId);
}

const xmlText = (s: string): string => escapeXml(s);
const xmlAttr = (s: string): string => escapeXml(s, true);

/**
 * EventRecord.ToXml(): the record in the Event schema (learn.microsoft.com/windows/win32/wes/
 * eventschema-eventtype-complextype: System, then EventData or UserData; EventDataType holds Data
 * elements with an optional Name attribute, learn.microsoft.com/openspecs/windows_protocols/ms-even6/
 * 8c61aef7-bd4b-4edb-8dfd-3c9a7537886b), namespace http://schemas.microsoft.com/win/2004/08/events/event.
 * Insertion strings are EventData/Data elements in order: classic entries (Write-EventLog) carry no
 * Name; the built-in providers' data names are not modelled from a source (param1, param2, ...
 * stand in for them; iisctl reads positions only). The System part holds the fields iisctl's model has.
 */
export function eventXml(r: EventRecord): string {
  const named = Object.keys(BUILTIN_SOURCES).some((s) => s.toLowerCase() === r.providerName.toLowerCase());
  const data = r.properties.map((p, i) => (named ? `<Data Name='param${i + 1}'>` : '<Data>') + xmlText(p) + '</Data>').join('');
  const security = r.userId === null ? '<Security/>' : `<Security UserID='${xmlAttr(r.userId)}'/>`;
  return "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>" +
    `<Provider Name='${xmlAttr(r.providerName)}'/><EventID>${r.id}</EventID><Level>${r.level}</Level>` +
    `<TimeCreated SystemTime='${new Date(r.timeCreated).toISOString().replace('Z', '0000Z')}'/>` +
    `<EventRecordID>${r.recordId}</EventRecordID><Channel>${xmlText(r.logName)}</Channel>` +
    `<Computer>${xmlText(r.machineName)}</Computer>${security}</System>` +
    `<EventData>${data}</EventData></Event>`;
}
