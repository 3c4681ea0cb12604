/**
 * Generic (non-IIS) cmdlets of the simulated host. Each receives parameters already bound and
 * converted against the 5.1 catalog (lib/sim/catalog.ts); parameters a cmdlet does not model are
 * refused loudly rather than ignored.
 */
import { newSimMutex } from './mutex';
import type { CmdletCall, CmdletImpl } from '../interp/types';
import { makeError } from '../errors';
import { convertFromJson, convertToJson51, JsonError } from '../json51';
import {
  PsDateTime, PsEnum, PsHashtable, PsObject, PsScriptBlock, PsValue, asList, isArray, isTrue, toStr, collapse,
} from '../values';
import { psCompare, psEquals, wildcardToRegex, netRegex, toNumber, typeMatches } from '../interp/operators';
import { getProperty, MethodFailure, NO_MEMBER, newUtf8Encoding } from '../interp/dotnet';
import { formatForHost } from '../interp/format';

/** Refuses parameters the simulated cmdlet does not implement (never silently ignored). */
function only(call: CmdletCall, allowed: string[]): void {
  for (const k of call.params.values.keys()) {
    if (!allowed.some((a) => a.toLowerCase() === k.toLowerCase())) {
      call.ctx.throwTerminating(
        makeError('System.NotSupportedException', `The simulated host does not implement parameter -${k} of ${call.name} (iisctl simulator).`,
          `NotImplementedBySimulatedHost,${call.ctx.cmdletTypeName}`, 'NotImplemented'),
      );
    }
  }
}

function prop(v: PsValue, name: string): PsValue {
  const r = getProperty(v, name);
  return r === NO_MEMBER ? null : r;
}

/** Input objects: pipeline input, or the -InputObject argument (not enumerated, like 5.1). */
function inputs(call: CmdletCall): PsValue[] {
  if (call.hasInput) return call.input;
  return call.params.has('InputObject') ? [call.params.get('InputObject') ?? null] : [];
}

const writeOutput: CmdletImpl = (call) => {
  only(call, ['InputObject', 'NoEnumerate']);
  if (call.hasInput) return call.input;
  const v = call.params.get('InputObject') ?? null;
  return call.params.get('NoEnumerate') ? [v] : asList(v).length || v === null ? (v === null ? [null] : asList(v)) : [v];
};

const writeHost: CmdletImpl = (call) => {
  only(call, ['Object', 'NoNewline', 'Separator', 'ForegroundColor', 'BackgroundColor']);
  const sep = call.params.has('Separator') ? toStr(call.params.get('Separator') ?? null) : ' ';
  const obj = call.params.get('Object');
  const text = obj === undefined ? call.input.map((x) => toStr(x)).join(sep) : asList(obj ?? null).map((x) => toStr(x)).join(sep);
  if (call.params.get('NoNewline')) throw unsupportedParam(call, 'NoNewline');
  call.ctx.writeHost(text);
  return [];
};

function unsupportedParam(call: CmdletCall, p: string): Error {
  return call.ctx.throwTerminating(
    makeError('System.NotSupportedException', `The simulated host does not implement parameter -${p} of ${call.name} (iisctl simulator).`,
      `NotImplementedBySimulatedHost,${call.ctx.cmdletTypeName}`, 'NotImplemented'),
  );
}

const writeWarning: CmdletImpl = (call) => {
  only(call, ['Message']);
  call.ctx.writeWarning(toStr(call.params.get('Message') ?? (call.input[0] ?? null)));
  return [];
};

/**
 * Write-Error: WriteErrorException, NotSpecified, FullyQualifiedErrorId
 * Microsoft.PowerShell.Commands.WriteErrorException (public 5.1 transcripts: "CategoryInfo :
 * NotSpecified: (:) [Write-Error], WriteErrorException"). Called from an anonymous script block
 * the record has no "X :" prefix.
 */
const writeError: CmdletImpl = (call) => {
  only(call, ['Message', 'Category', 'ErrorId', 'TargetObject', 'Exception', 'ErrorRecord', 'CategoryReason', 'CategoryTargetName', 'CategoryTargetType', 'RecommendedAction', 'CategoryActivity']);
  const message = toStr(call.params.get('Message') ?? (call.input[0] ?? null));
  const cat = call.params.get('Category');
  const rec = makeError(
    'Microsoft.PowerShell.Commands.WriteErrorException', message,
    call.params.has('ErrorId') ? toStr(call.params.get('ErrorId') ?? null) : 'Microsoft.PowerShell.Commands.WriteErrorException',
    (cat ? toStr(cat) : 'NotSpecified') as never, call.params.get('TargetObject') ?? null,
    { activity: 'Write-Error', commandName: '' },
  );
  call.ctx.writeError(rec);
  return [];
};

const outNull: CmdletImpl = () => [];

const outString: CmdletImpl = (call) => {
  only(call, ['InputObject', 'Stream', 'Width']);
  const text = formatForHost(inputs(call));
  if (call.params.get('Stream')) return text.split('\n').filter((l, i, a) => i < a.length - 1 || l !== '');
  return [text];
};

const convertToJson: CmdletImpl = (call) => {
  only(call, ['InputObject', 'Depth', 'Compress']);
  const depth = call.params.has('Depth') ? toNumber(call.params.get('Depth') ?? null) : 2;
  if (depth < 1) {
    // [ValidateRange(1, int.MaxValue)] on -Depth (ConvertToJsonCommand source).
    call.ctx.throwTerminating(makeError('System.Management.Automation.ParameterBindingValidationException',
      `Cannot validate argument on parameter 'Depth'. The ${depth} argument is less than the minimum allowed range of 1. Supply an argument that is greater than or equal to 1 and then try the command again.`,
      `ParameterArgumentValidationError,${call.ctx.cmdletTypeName}`, 'InvalidData'));
  }
  if (depth > 100) {
    // WebCmdletStrings.ReachedMaximumDepthAllowed; the 5.1 docs give 100 as the maximum.
    call.ctx.throwTerminating(makeError('System.InvalidOperationException', 'The maximum depth allowed for serialization is 100.', `ReachedMaximumDepthAllowed,${call.ctx.cmdletTypeName}`, 'InvalidOperation'));
  }
  try {
    const json = convertToJson51(inputs(call), { depth, compress: !!call.params.get('Compress') });
    return json === undefined ? [] : [json];
  } catch (e) {
    if (e instanceof JsonError) {
      return call.ctx.throwTerminating(makeError('System.InvalidOperationException', e.message, `${e.fqid},${call.ctx.cmdletTypeName}`, 'InvalidOperation'));
    }
    throw e;
  }
};

const convertFromJsonCmd: CmdletImpl = (call) => {
  only(call, ['InputObject']);
  const text = inputs(call).map((x) => toStr(x)).join('\n');
  try {
    // 5.1 writes a top-level JSON array as ONE object (the array), not its elements.
    return [convertFromJson(text)];
  } catch (e) {
    if (e instanceof JsonError) return call.ctx.throwTerminating(makeError('System.ArgumentException', e.message, e.fqid, 'NotSpecified', text));
    throw e;
  }
};

async function evalProperty(call: CmdletCall, item: PsValue, spec: PsValue): Promise<PsValue> {
  if (spec instanceof PsScriptBlock) return collapse(await call.ctx.invokeScriptBlock(spec, [], item));
  return prop(item, toStr(spec));
}

/** Calculated property: @{Name='X'; Expression={...}} with n/l/e abbreviations. */
function calculated(h: PsHashtable): { name: string; expr: PsValue } {
  let name: string | undefined;
  let expr: PsValue | undefined;
  for (const e of h.entries()) {
    const k = toStr(e.key).toLowerCase();
    if ('name'.startsWith(k) || 'label'.startsWith(k)) name = toStr(e.value);
    else if ('expression'.startsWith(k)) expr = e.value;
    else throw new Error(`The "${toStr(e.key)}" key is not valid.`);
  }
  if (expr === undefined) throw new Error('Missing Expression key.');
  return { name: name ?? toStr(expr), expr };
}

const selectObject: CmdletImpl = async (call) => {
  only(call, ['Property', 'InputObject', 'ExpandProperty', 'Unique', 'First', 'Last', 'Skip', 'ExcludeProperty', 'Index']);
  let items = inputs(call);
  const first = call.params.get('First');
  const last = call.params.get('Last');
  const skip = call.params.get('Skip');
  if (skip != null) items = items.slice(toNumber(skip));
  if (first != null) items = items.slice(0, toNumber(first));
  if (last != null) items = items.slice(Math.max(0, items.length - toNumber(last)));
  if (call.params.has('Index')) items = asList(call.params.get('Index') ?? null).map((i) => items[toNumber(i)]).filter((x) => x !== undefined);
  const props = call.params.get('Property');
  const expand = call.params.get('ExpandProperty');
  const exclude = asList(call.params.get('ExcludeProperty') ?? null).map((x) => toStr(x).toLowerCase());
  let out: PsValue[] = items;
  if (props != null) {
    const specs = asList(props);
    out = [];
    for (const item of items) {
      const o = PsObject.custom();
      for (const s of specs) {
        if (s instanceof PsHashtable) {
          let c;
          try {
            c = calculated(s);
          } catch (e) {
            return call.ctx.throwTerminating(makeError('System.NotSupportedException', (e as Error).message, `DictionaryKeyIllegal,${call.ctx.cmdletTypeName}`, 'InvalidArgument'));
          }
          o.addNote(c.name, await evalProperty(call, item, c.expr));
        } else {
          const name = toStr(s);
          if (/[*?]/.test(name)) {
            const re = wildcardToRegex(name, false);
            const names = item instanceof PsObject ? item.propertyNames() : item instanceof PsHashtable ? [] : [];
            for (const n of names) if (re.test(n) && !exclude.includes(n.toLowerCase())) o.addNote(n, prop(item, n));
          } else if (!exclude.includes(name.toLowerCase())) o.addNote(name, prop(item, name));
        }
      }
      out.push(o);
    }
  }
  if (expand != null) {
    const name = toStr(expand);
    const expanded: PsValue[] = [];
    for (const item of out) {
      const r = getProperty(item, name);
      if (r === NO_MEMBER) {
        // "Property "X" cannot be found." (ExpandPropertyNotFound)
        call.ctx.writeError(makeError('System.Management.Automation.PSArgumentException', `Property "${name}" cannot be found.`, `ExpandPropertyNotFound,${call.ctx.cmdletTypeName}`, 'InvalidArgument', item));
        continue;
      }
      expanded.push(...(isArray(r) ? r : [r]));
    }
    out = expanded;
  }
  if (call.params.get('Unique')) {
    const seen: PsValue[] = [];
    out = out.filter((x) => {
      if (seen.some((y) => (x instanceof PsObject && y instanceof PsObject ? toStr(x) === toStr(y) : psEquals(y, x, true)))) return false;
      seen.push(x);
      return true;
    });
  }
  return out;
};

const WHERE_OPS: Record<string, string> = {
  EQ: 'eq', CEQ: 'ceq', NE: 'ne', CNE: 'cne', GT: 'gt', CGT: 'cgt', LT: 'lt', CLT: 'clt', GE: 'ge', CGE: 'cge', LE: 'le', CLE: 'cle',
  Like: 'like', CLike: 'clike', NotLike: 'notlike', CNotLike: 'cnotlike', Match: 'match', CMatch: 'cmatch', NotMatch: 'notmatch', CNotMatch: 'cnotmatch',
  Contains: 'contains', CContains: 'ccontains', NotContains: 'notcontains', CNotContains: 'cnotcontains', In: 'in', CIn: 'cin', NotIn: 'notin', CNotIn: 'cnotin', Is: 'is', IsNot: 'isnot',
};

function compareOp(op: string, a: PsValue, b: PsValue): boolean {
  const cs = op.startsWith('c') && op !== 'contains';
  const base = cs ? op.slice(1) : op;
  switch (base) {
    case 'eq': return isArray(a) ? a.some((x) => psEquals(x, b, cs)) : psEquals(a, b, cs);
    case 'ne': return !psEquals(a, b, cs);
    case 'gt': return psCompare(a, b, cs) > 0;
    case 'lt': return psCompare(a, b, cs) < 0;
    case 'ge': return psCompare(a, b, cs) >= 0;
    case 'le': return psCompare(a, b, cs) <= 0;
    case 'like': return wildcardToRegex(toStr(b), cs).test(toStr(a));
    case 'notlike': return !wildcardToRegex(toStr(b), cs).test(toStr(a));
    case 'match': return netRegex(toStr(b), cs ? '' : 'i').test(toStr(a));
    case 'notmatch': return !netRegex(toStr(b), cs ? '' : 'i').test(toStr(a));
    case 'contains': return asList(a).some((x) => psEquals(x, b, cs));
    case 'notcontains': return !asList(a).some((x) => psEquals(x, b, cs));
    case 'in': return asList(b).some((x) => psEquals(x, a, cs));
    case 'notin': return !asList(b).some((x) => psEquals(x, a, cs));
    case 'is': return typeMatches(a, toStr(b));
    case 'isnot': return !typeMatches(a, toStr(b));
  }
  return false;
}

const whereObject: CmdletImpl = async (call) => {
  const items = call.hasInput ? call.input : call.params.has('InputObject') ? [call.params.get('InputObject') ?? null] : [];
  const filter = call.params.get('FilterScript');
  const out: PsValue[] = [];
  if (filter instanceof PsScriptBlock) {
    for (const item of items) if (isTrue(collapse(await call.ctx.invokeScriptBlock(filter, [], item)))) out.push(item);
    return out;
  }
  const property = toStr(call.params.get('Property') ?? null);
  const opName = Object.keys(WHERE_OPS).find((k) => call.params.get(k) === true);
  const hasValue = call.params.has('Value');
  for (const item of items) {
    const v = prop(item, property);
    if (!opName) {
      if (isTrue(v)) out.push(item);
      continue;
    }
    if (compareOp(WHERE_OPS[opName].toLowerCase(), v, hasValue ? call.params.get('Value') ?? null : true)) out.push(item);
  }
  return out;
};

const forEachObject: CmdletImpl = async (call) => {
  const items = call.hasInput ? call.input : call.params.has('InputObject') ? [call.params.get('InputObject') ?? null] : [];
  const out: PsValue[] = [];
  if (call.parameterSetName === 'PropertyAndMethodSet') {
    const member = toStr(call.params.get('MemberName') ?? null);
    if (call.params.has('ArgumentList')) throw unsupportedParam(call, 'ArgumentList');
    for (const item of items) {
      const r = getProperty(item, member);
      if (r !== NO_MEMBER) out.push(...(isArray(r) ? r : [r]));
    }
    return out;
  }
  if (call.params.has('RemainingScripts')) throw unsupportedParam(call, 'RemainingScripts');
  const begin = call.params.get('Begin');
  const end = call.params.get('End');
  const process = asList(call.params.get('Process') ?? null);
  if (begin instanceof PsScriptBlock) out.push(...(await call.ctx.invokeScriptBlock(begin, [])));
  for (const item of items) {
    for (const p of process) if (p instanceof PsScriptBlock) out.push(...(await call.ctx.invokeScriptBlock(p, [], item)));
  }
  if (end instanceof PsScriptBlock) out.push(...(await call.ctx.invokeScriptBlock(end, [])));
  return out;
};

const sortObject: CmdletImpl = async (call) => {
  only(call, ['Property', 'InputObject', 'Descending', 'Unique', 'CaseSensitive']);
  const items = [...inputs(call)];
  const props = call.params.has('Property') ? asList(call.params.get('Property') ?? null) : [];
  const keys: PsValue[][] = [];
  for (const item of items) {
    const k: PsValue[] = [];
    if (props.length === 0) k.push(item);
    for (const p of props) {
      if (p instanceof PsHashtable) throw unsupportedParam(call, 'Property (hashtable form)');
      k.push(await evalProperty(call, item, p));
    }
    keys.push(k);
  }
  const cs = !!call.params.get('CaseSensitive');
  const idx = items.map((_, i) => i);
  idx.sort((a, b) => {
    for (let j = 0; j < keys[a].length; j++) {
      const c = psCompare(keys[a][j], keys[b][j], cs);
      if (c !== 0) return call.params.get('Descending') ? -c : c;
    }
    return a - b;
  });
  let out = idx.map((i) => items[i]);
  if (call.params.get('Unique')) out = out.filter((x, i) => i === 0 || !psEquals(out[i - 1], x, cs));
  return out;
};

const measureObject: CmdletImpl = async (call) => {
  only(call, ['InputObject', 'Property', 'Sum', 'Average', 'Maximum', 'Minimum']);
  const items = inputs(call);
  const property = call.params.has('Property') ? toStr(call.params.get('Property') ?? null) : undefined;
  const values = items.map((x) => (property ? prop(x, property) : x));
  // Only the numeric statistics convert to numbers; a plain Measure-Object just counts.
  const numeric = ['Sum', 'Average', 'Maximum', 'Minimum'].some((k) => call.params.get(k) === true);
  const nums = numeric ? values.filter((v) => v !== null).map((v) => toNumber(v, 'System.Double')) : [];
  const o = new PsObject(['Microsoft.PowerShell.Commands.GenericMeasureInfo', 'System.Object']);
  o.addNote('Count', items.length);
  o.addNote('Average', call.params.get('Average') ? nums.reduce((a, b) => a + b, 0) / (nums.length || 1) : null);
  o.addNote('Sum', call.params.get('Sum') ? nums.reduce((a, b) => a + b, 0) : null);
  // No numbers: Maximum and Minimum stay $null (pwsh 7.6: `(@() | Measure-Object -Maximum).Maximum` is $null), never -Infinity.
  o.addNote('Maximum', call.params.get('Maximum') && nums.length ? Math.max(...nums) : null);
  o.addNote('Minimum', call.params.get('Minimum') && nums.length ? Math.min(...nums) : null);
  o.addNote('Property', property ?? null);
  return [o];
};

const groupObject: CmdletImpl = async (call) => {
  only(call, ['Property', 'InputObject', 'NoElement', 'AsHashTable', 'AsString', 'CaseSensitive']);
  const items = inputs(call);
  const props = asList(call.params.get('Property') ?? null);
  const groups: Array<{ key: string; values: PsValue[]; items: PsValue[] }> = [];
  for (const item of items) {
    const vals: PsValue[] = [];
    for (const p of props) vals.push(await evalProperty(call, item, p));
    if (props.length === 0) vals.push(item);
    const key = vals.map((v) => toStr(v)).join(', ');
    const g = groups.find((x) => x.key.toLowerCase() === key.toLowerCase());
    if (g) g.items.push(item);
    else groups.push({ key, values: vals, items: [item] });
  }
  if (call.params.get('AsHashTable')) {
    const h = new PsHashtable();
    for (const g of groups) h.set(call.params.get('AsString') ? g.key : collapse(g.values), collapse(g.items));
    return [h];
  }
  return groups.map((g) => {
    const o = new PsObject(['Microsoft.PowerShell.Commands.GroupInfo', 'System.Object'], () => g.key);
    o.addNote('Count', g.items.length);
    o.addNote('Name', g.key);
    o.addNote('Group', call.params.get('NoElement') ? null : g.items);
    o.addNote('Values', g.values);
    return o;
  });
};

const startSleep: CmdletImpl = async (call) => {
  only(call, ['Seconds', 'Milliseconds']);
  const ms = call.params.has('Milliseconds') ? toNumber(call.params.get('Milliseconds') ?? null) : toNumber(call.params.get('Seconds') ?? null) * 1000;
  await call.ctx.sleep(ms);
  return [];
};

/** Get-Date: a DateTime carrying DisplayHint = DateTime (2), hence the 5.1 JSON wrapper. */
const getDate: CmdletImpl = (call) => {
  only(call, ['Date', 'Format', 'UFormat', 'DisplayHint']);
  if (call.params.has('UFormat')) throw unsupportedParam(call, 'UFormat');
  const now = call.params.has('Date') ? (call.params.get('Date') as PsDateTime) : nowOf(call);
  const hint = call.params.get('DisplayHint');
  const hintValue = hint === undefined ? 2 : ({ date: 0, time: 1, datetime: 2 } as Record<string, number>)[toStr(hint).toLowerCase()] ?? 2;
  const d = new PsDateTime(now.ms, now.kind, hintValue, now.extraTicks);
  if (call.params.has('Format')) {
    const { formatDate } = require('../values') as typeof import('../values');
    return [formatDate(d, toStr(call.params.get('Format') ?? null))];
  }
  return [d];
};

function nowOf(call: CmdletCall): PsDateTime {
  return new PsDateTime(call.ctx.now(), 'Local');
}

const newObject: CmdletImpl = (call) => {
  only(call, ['TypeName', 'ArgumentList', 'Property']);
  const t = toStr(call.params.get('TypeName') ?? null).toLowerCase().replace(/^system\./, '');
  const args = asList(call.params.get('ArgumentList') ?? null);
  let o: PsValue;
  if (t === 'text.utf8encoding') o = newUtf8Encoding(args.length ? isTrue(args[0]) : false);
  else if (t === 'management.automation.psobject' || t === 'psobject' || t === 'object') o = PsObject.custom();
  else if (t === 'collections.hashtable' || t === 'hashtable') o = new PsHashtable();
  else if (t === 'collections.specialized.ordereddictionary') o = new PsHashtable(true);
  else if (t === 'threading.mutex') {
    try {
      o = newSimMutex(call, args);
    } catch (e) {
      if (e instanceof MethodFailure) {
        return call.ctx.throwTerminating(makeError('System.Management.Automation.MethodInvocationException', `Exception calling ".ctor" with "${args.length}" argument(s): "${e.message}"`, 'ConstructorInvokedThrowException,Microsoft.PowerShell.Commands.NewObjectCommand', 'InvalidOperation'));
      }
      return call.ctx.throwTerminating(makeError('System.NotSupportedException', `${(e as Error).message} is not supported by the simulated host (iisctl simulator).`, `NotImplementedBySimulatedHost,${call.ctx.cmdletTypeName}`, 'NotImplemented'));
    }
  } else {
    return call.ctx.throwTerminating(makeError('System.NotSupportedException', `New-Object ${toStr(call.params.get('TypeName') ?? null)} is not supported by the simulated host (iisctl simulator).`,
      `NotImplementedBySimulatedHost,${call.ctx.cmdletTypeName}`, 'NotImplemented'));
  }
  const props = call.params.get('Property');
  if (props instanceof PsHashtable && o instanceof PsObject) for (const e of props.entries()) o.addNote(toStr(e.key), e.value);
  return [o];
};

const clearHistory: CmdletImpl = () => [];

const removeTypeData: CmdletImpl = (call) => {
  // Accepted for `Remove-TypeData -TypeName System.Array -ErrorAction Ignore` (docs/sources.md §P3).
  only(call, ['TypeName', 'TypeData', 'Path']);
  if (toStr(call.params.get('TypeName') ?? null).toLowerCase() !== 'system.array') throw unsupportedParam(call, 'TypeName (other than System.Array)');
  return [];
};

const getVariable: CmdletImpl = (call) => {
  only(call, ['Name', 'ValueOnly']);
  const out: PsValue[] = [];
  for (const n of asList(call.params.get('Name') ?? null)) {
    const v = call.ctx.getVariable(toStr(n));
    if (v === undefined) {
      // "Cannot find a variable with the name 'x'." (VariableNotFound)
      call.ctx.writeError(makeError('System.Management.Automation.ItemNotFoundException', `Cannot find a variable with the name '${toStr(n)}'.`, `VariableNotFound,${call.ctx.cmdletTypeName}`, 'ObjectNotFound', toStr(n)));
      continue;
    }
    if (call.params.get('ValueOnly')) out.push(v);
    else out.push(PsObject.custom([['Name', toStr(n)], ['Value', v]]));
  }
  return out;
};

const setVariable: CmdletImpl = (call) => {
  only(call, ['Name', 'Value']);
  for (const n of asList(call.params.get('Name') ?? null)) call.ctx.setVariable(toStr(n), call.params.get('Value') ?? (call.input.length ? collapse(call.input) : null));
  return [];
};

const joinPath: CmdletImpl = (call) => {
  only(call, ['Path', 'ChildPath', 'AdditionalChildPath', 'Resolve']);
  if (call.params.get('Resolve')) throw unsupportedParam(call, 'Resolve');
  const child = toStr(call.params.get('ChildPath') ?? null);
  return asList(call.params.get('Path') ?? null).map((p) => {
    const base = toStr(p).replace(/[\\/]+$/, '');
    return base + '\\' + child.replace(/^[\\/]+/, '');
  });
};

const splitPath: CmdletImpl = (call) => {
  only(call, ['Path', 'Leaf', 'Parent', 'Qualifier', 'NoQualifier']);
  return asList(call.params.get('Path') ?? null).map((p) => {
    const s = toStr(p).replace(/[\\/]+$/, '');
    const i = Math.max(s.lastIndexOf('\\'), s.lastIndexOf('/'));
    if (call.params.get('Leaf')) return i < 0 ? s : s.slice(i + 1);
    if (call.params.get('Qualifier')) return /^[A-Za-z]+:/.exec(s)?.[0] ?? '';
    if (call.params.get('NoQualifier')) return s.replace(/^[A-Za-z]+:/, '');
    return i < 0 ? '' : s.slice(0, i) + (i === 2 && s[1] === ':' ? '\\' : '');
  });
};

export const coreCmdlets: Map<string, CmdletImpl> = new Map([
  ['Write-Output', writeOutput],
  ['Write-Host', writeHost],
  ['Write-Warning', writeWarning],
  ['Write-Error', writeError],
  ['Out-Null', outNull],
  ['Out-String', outString],
  ['ConvertTo-Json', convertToJson],
  ['ConvertFrom-Json', convertFromJsonCmd],
  ['Select-Object', selectObject],
  ['Where-Object', whereObject],
  ['ForEach-Object', forEachObject],
  ['Sort-Object', sortObject],
  ['Measure-Object', measureObject],
  ['Group-Object', groupObject],
  ['Start-Sleep', startSleep],
  ['Get-Date', getDate],
  ['New-Object', newObject],
  ['Clear-History', clearHistory],
  ['Remove-TypeData', removeTypeData],
  ['Get-Variable', getVariable],
  ['Set-Variable', setVariable],
  ['Join-Path', joinPath],
  ['Split-Path', splitPath],
]);

export { PsEnum };
