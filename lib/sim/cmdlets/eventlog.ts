/**
 * Get-WinEvent (docs/sources.md §5), Write-EventLog / New-EventLog (texts from machine/eventlog.ts, which cites
 * PowerShell's EventlogResources).
 * - No match: non-terminating NoMatchingEventsFound, ObjectNotFound, "No events were found that
 *   match the specified selection criteria." (docs/sources.md §5).
 * - Unknown log: NoMatchingLogsFound "There is not an event log on the localhost computer that
 *   matches "{0}"." (FQEID listed in docs/sources.md §5; text as recalled from 5.1, not sourced).
 * - Write-EventLog/New-EventLog errors carry no error id, so the FullyQualifiedErrorId is the bare
 *   cmdlet type name (ErrorRecord with a null id; as recalled from EventLogCommands.cs).
 */
import type { CmdletCall, CmdletImpl } from '../interp/types';
import { LevelDisplayNames, SimFault, type EventRecord } from '../machine';
import { eventXml } from '../machine/eventlog';
import { PsDateTime, PsHashtable, type PsValue, asList, toStr } from '../values';
import { toNumber } from '../interp/operators';
import { hostOf } from './simhost';
import { chain, dotnetObject, errorWith, likeAny, localDate, notImplemented, only, strings } from './common';

/** Classic keyword (0x80000000000000), what Write-EventLog / SCM classic events carry. */
const CLASSIC = 36028797018963968;

export function eventRecord(r: EventRecord): PsValue {
  const sid = r.userId === null ? null : dotnetObject(['System.Security.Principal.SecurityIdentifier', 'System.Security.Principal.IdentityReference'], [['Value', r.userId]], () => r.userId as string);
  const props = r.properties.map((p) => dotnetObject(['System.Diagnostics.Eventing.Reader.EventProperty'], [['Value', p]]));
  // Message is the NoteProperty Get-WinEvent adds (docs/sources.md §5), so it comes first.
  const o = dotnetObject(['System.Diagnostics.Eventing.Reader.EventLogRecord', 'System.Diagnostics.Eventing.Reader.EventRecord'], [
    ['Message', r.message],
    ['Id', r.id],
    ['Version', null],
    ['Qualifiers', null],
    ['Level', r.level],
    ['Task', 0],
    ['Opcode', null],
    ['Keywords', CLASSIC],
    ['RecordId', r.recordId],
    ['ProviderName', r.providerName],
    ['ProviderId', null],
    ['LogName', r.logName],
    ['ProcessId', null],
    ['ThreadId', null],
    ['MachineName', r.machineName],
    ['UserId', sid],
    ['TimeCreated', localDate(r.timeCreated)],
    ['ActivityId', null],
    ['RelatedActivityId', null],
    ['ContainerLog', r.logName],
    ['MatchedQueryIds', []],
    ['Bookmark', null],
    ['LevelDisplayName', LevelDisplayNames[r.level] ?? null],
    ['OpcodeDisplayName', null],
    ['TaskDisplayName', null],
    ['KeywordsDisplayNames', ['Classic']],
    ['Properties', props],
  ], () => 'System.Diagnostics.Eventing.Reader.EventLogRecord');
  // EventRecord.ToXml() (learn.microsoft.com/dotnet/api/system.diagnostics.eventing.reader.eventrecord.toxml, .NET Framework 3.5+).
  o.addMethod('ToXml', () => eventXml(r));
  return o;
}

interface Filter {
  logs?: string[];
  providers?: string[];
  ids?: number[];
  levels?: number[];
  start?: number;
  end?: number;
}

function filterOf(call: CmdletCall, h: PsHashtable): Filter {
  const f: Filter = {};
  for (const e of h.entries()) {
    const k = toStr(e.key).toLowerCase();
    const v = e.value;
    if (k === 'logname') f.logs = asList(v).map((x) => toStr(x));
    else if (k === 'providername') f.providers = asList(v).map((x) => toStr(x));
    else if (k === 'id') f.ids = asList(v).map((x) => toNumber(x));
    else if (k === 'level') f.levels = asList(v).map((x) => toNumber(x));
    else if (k === 'starttime' || k === 'endtime') {
      if (!(v instanceof PsDateTime)) notImplemented(call, `FilterHashtable ${toStr(e.key)} given as a ${typeof v} (pass a [datetime])`);
      if (k === 'starttime') f.start = (v as PsDateTime).ms;
      else f.end = (v as PsDateTime).ms;
    } else notImplemented(call, `the FilterHashtable key '${toStr(e.key)}'`);
  }
  return f;
}

function noMatch(call: CmdletCall): void {
  call.ctx.writeError(errorWith(chain({ type: 'System.Exception', message: 'No events were found that match the specified selection criteria.' }),
    `NoMatchingEventsFound,${call.ctx.cmdletTypeName}`, 'ObjectNotFound', null));
}

const getWinEvent: CmdletImpl = async (call) => {
  only(call, ['FilterHashtable', 'LogName', 'MaxEvents', 'Oldest', 'ProviderName']);
  const filters: Filter[] = call.params.has('FilterHashtable')
    ? asList(call.params.get('FilterHashtable') ?? null).map((h) => (h instanceof PsHashtable ? filterOf(call, h) : notImplemented(call, 'a non-hashtable filter')))
    : [{ logs: strings(call.params.get('LogName')), providers: call.params.has('ProviderName') ? strings(call.params.get('ProviderName')) : undefined }];
  const { records, logNames } = await hostOf(call).use((m) => ({ records: m.events(), logNames: m.logNames() }));
  for (const f of filters) {
    for (const l of f.logs ?? []) {
      if (!logNames.some((n) => likeAny(n, [l]))) {
        call.ctx.writeError(errorWith(chain({ type: 'System.Exception', message: `There is not an event log on the localhost computer that matches "${l}".` }),
          `NoMatchingLogsFound,${call.ctx.cmdletTypeName}`, 'ObjectNotFound', l));
        return [];
      }
    }
  }
  let hits = records.filter((r) => filters.some((f) =>
    (!f.logs?.length || likeAny(r.logName, f.logs)) &&
    (!f.providers || likeAny(r.providerName, f.providers)) &&
    (!f.ids || f.ids.includes(r.id)) &&
    (!f.levels || f.levels.includes(r.level)) &&
    (f.start === undefined || r.timeCreated >= f.start) &&
    (f.end === undefined || r.timeCreated <= f.end)));
  if (call.params.get('Oldest') === true) hits = hits.reverse();
  if (call.params.has('MaxEvents')) hits = hits.slice(0, toNumber(call.params.get('MaxEvents') ?? null, 'System.Int64'));
  if (!hits.length) {
    noMatch(call);
    return [];
  }
  return hits.map(eventRecord);
};

function faultRecord(call: CmdletCall, e: SimFault): void {
  const cat = e.kind === 'AccessDenied' ? 'PermissionDenied' : 'InvalidOperation';
  const type = e.kind === 'AccessDenied' ? 'System.Security.SecurityException' : 'System.InvalidOperationException';
  call.ctx.writeError(errorWith(chain({ type, message: e.message }), call.ctx.cmdletTypeName, cat, null));
}

const writeEventLog: CmdletImpl = async (call) => {
  only(call, ['LogName', 'Source', 'EventId', 'EntryType', 'Message', 'Category', 'ComputerName']);
  for (const c of strings(call.params.get('ComputerName'))) if (!['.', 'localhost'].includes(c.toLowerCase())) notImplemented(call, `-ComputerName ${c}`);
  try {
    await hostOf(call).use((m) => m.writeEvent({
      logName: toStr(call.params.get('LogName') ?? null),
      source: toStr(call.params.get('Source') ?? null),
      eventId: toNumber(call.params.get('EventId') ?? null),
      entryType: call.params.has('EntryType') ? toStr(call.params.get('EntryType') ?? null) : undefined,
      message: toStr(call.params.get('Message') ?? null),
      category: call.params.has('Category') ? toNumber(call.params.get('Category') ?? null) : undefined,
    }));
  } catch (e) {
    if (e instanceof SimFault) faultRecord(call, e);
    else throw e;
  }
  return [];
};

const newEventLog: CmdletImpl = async (call) => {
  only(call, ['LogName', 'Source', 'ComputerName']);
  const log = toStr(call.params.get('LogName') ?? null);
  for (const s of strings(call.params.get('Source'))) {
    try {
      await hostOf(call).use((m) => m.registerEventSource(log, s));
    } catch (e) {
      if (e instanceof SimFault) faultRecord(call, e);
      else throw e;
    }
  }
  return [];
};

export const eventCmdlets: Array<[string, CmdletImpl]> = [
  ['Get-WinEvent', getWinEvent],
  ['Write-EventLog', writeEventLog],
  ['New-EventLog', newEventLog],
];
