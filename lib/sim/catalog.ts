/**
 * Cmdlet catalog and parameter binding against the documented Windows PowerShell 5.1 signatures
 * (cmdlets.json, built from MicrosoftDocs PlatyPS markdown; read its source.conventions; plus
 * cmdlets-supplement.json, see loadCatalogFile).
 *
 * Binding follows PowerShell's binder where it matters for generated code:
 * - parameter names match exactly, then by alias, then by unique case-insensitive prefix over names
 *   and aliases (MergedCommandParameterMetadata.GetMatchingParameter, PowerShell source);
 *   several prefix matches -> AmbiguousParameter ("Possible matches include: -A -B." built with
 *   " -" + name per match);
 * - common parameters belong to every set; WhatIf/Confirm only when supportsShouldProcess;
 * - the parameter set is the one containing every named parameter; positional arguments bind in
 *   positionalOrder, first to parameters whose type takes the argument without conversion
 *   (why `Where-Object { ... }` lands in ScriptBlockSet), then with conversion;
 * - several candidate sets: the default set wins, else the only one whose mandatory parameters
 *   are bound, else AmbiguousParameterSet;
 * - mandatory parameters missing: -NonInteractive cannot prompt, so MissingMandatoryParameter.
 * - yamlOnlyParameters count as members of the set (catalog convention: the real cmdlet usually
 *   accepts them).
 * Messages: ParameterBinderStrings.resx (PowerShell repository; the 5.1 texts are the same as the
 * public 5.1 transcripts quoted next to each use).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PsErrorRecord, makeError } from './errors';
import {
  PsDateTime, PsEnum, PsHashtable, PsObject, PsScriptBlock, PsValue, isArray, toStr, typeNameOf,
} from './values';
import { ConversionError, convertTo, UnsupportedCast } from './interp/operators';

export interface CatalogParameter {
  name: string;
  type: string;
  fullType: string;
  required: boolean;
  position: number | null;
  positionalInSyntax: boolean;
  pipeline: string | null;
  aliases: string[];
  acceptedValues: string[] | null;
  defaultValue: string | null;
}

export interface CatalogParameterSet {
  name: string;
  isDefault: boolean;
  positionalOrder: string[];
  syntax: string;
  parameters: CatalogParameter[];
  yamlOnlyParameters: string[];
  listsWhatIfConfirm: boolean;
}

export interface CatalogCmdlet {
  module: string;
  aliases: string[];
  supportsShouldProcess: boolean;
  defaultParameterSet: string;
  parameterNames: string[];
  parameterSets: CatalogParameterSet[];
}

export interface CatalogFile {
  commonParameters: string[];
  riskMitigationParameters: string[];
  cmdlets: Record<string, CatalogCmdlet>;
}

/** A catalog's JSON next to this module (dist/sim after the asset copy), or else in lib/sim (ts-jest, or dist/ before the copy). */
function readCatalogJson<T>(name: string): T {
  let p = path.join(__dirname, name);
  if (!fs.existsSync(p)) p = path.join(__dirname, '..', '..', 'lib', 'sim', name);
  return JSON.parse(fs.readFileSync(p, 'utf8')) as T;
}

/**
 * The catalog the simulator binds against: cmdlets.json (an unchanged copy of the shared catalog)
 * plus cmdlets-supplement.json, the cmdlets it lacks, transcribed by hand in the same entry format
 * (each entry names its MicrosoftDocs source). A cmdlet in both is an error, never a silent override.
 */
export function loadCatalogFile(): CatalogFile {
  const main = readCatalogJson<CatalogFile & { source?: { paths?: Record<string, string> } }>('cmdlets.json');
  const extra = readCatalogJson<{ source?: { paths?: Record<string, string> }; cmdlets: Record<string, CatalogCmdlet> }>('cmdlets-supplement.json');
  const both = Object.keys(extra.cmdlets).filter((n) => n in main.cmdlets);
  if (both.length) throw new Error(`cmdlets-supplement.json repeats cmdlets of cmdlets.json: ${both.join(', ')}`);
  const source = main.source ? { ...main.source, paths: { ...main.source.paths, ...extra.source?.paths } } : undefined;
  return { ...main, ...(source ? { source } : {}), cmdlets: { ...main.cmdlets, ...extra.cmdlets } };
}

/** Types of the common parameters (about_CommonParameters). */
const COMMON_TYPES: Record<string, string> = {
  Verbose: 'SwitchParameter', Debug: 'SwitchParameter', ErrorAction: 'ActionPreference',
  WarningAction: 'ActionPreference', InformationAction: 'ActionPreference', ErrorVariable: 'String',
  WarningVariable: 'String', InformationVariable: 'String', OutVariable: 'String', OutBuffer: 'Int32',
  PipelineVariable: 'String', WhatIf: 'SwitchParameter', Confirm: 'SwitchParameter',
};

/** Aliases of the common parameters (about_CommonParameters). */
const COMMON_ALIASES: Record<string, string[]> = {
  Verbose: ['vb'], Debug: ['db'], ErrorAction: ['ea'], WarningAction: ['wa'], InformationAction: ['infa'],
  ErrorVariable: ['ev'], WarningVariable: ['wv'], InformationVariable: ['iv'], OutVariable: ['ov'],
  OutBuffer: ['ob'], PipelineVariable: ['pv'], WhatIf: ['wi'], Confirm: ['cf'],
};

/** System.Management.Automation.ActionPreference names. */
export const ACTION_PREFERENCES = ['SilentlyContinue', 'Stop', 'Continue', 'Inquire', 'Ignore', 'Suspend'];

/**
 * .NET type of each module's cmdlets, used in FullyQualifiedErrorIds ("NamedParameterNotFound,
 * Microsoft.PowerShell.Commands.GetChildItemCommand"). Confirmed by public transcripts for the
 * Microsoft.PowerShell.* modules (GetChildItemCommand, InvokeWebRequestCommand, WriteOutputCommand,
 * GetServiceCommand) and CimCmdlets (GetCimInstanceCommand). WebAdministration's namespace is
 * confirmed (Microsoft.IIs.PowerShell.Provider.*) but its class names do not always follow the
 * cmdlet name (Restart-WebAppPool -> RecycleItemCommand in a public transcript); the others use the
 * Verb+Noun+"Command" convention, which is derived, not confirmed. IISAdministration: derived.
 */
const MODULE_NAMESPACE: Record<string, string> = {
  'Microsoft.PowerShell.Management': 'Microsoft.PowerShell.Commands',
  'Microsoft.PowerShell.Utility': 'Microsoft.PowerShell.Commands',
  'Microsoft.PowerShell.Core': 'Microsoft.PowerShell.Commands',
  'Microsoft.PowerShell.Diagnostics': 'Microsoft.PowerShell.Commands',
  'Microsoft.WSMan.Management': 'Microsoft.WSMan.Management',
  CimCmdlets: 'Microsoft.Management.Infrastructure.CimCmdlets',
  WebAdministration: 'Microsoft.IIs.PowerShell.Provider',
  IISAdministration: 'Microsoft.IIS.Powershell.Commands',
};
const TYPE_NAME_OVERRIDES: Record<string, string> = {
  'Restart-WebAppPool': 'Microsoft.IIs.PowerShell.Provider.RecycleItemCommand',
};

/**
 * Parameters declared ValueFromRemainingArguments (the catalog does not record it): Write-Host
 * -Object and Write-Output -InputObject (WriteHostCommand / WriteOutputCommand source).
 */
const REMAINING_ARGUMENTS: Record<string, string> = { 'Write-Host': 'Object', 'Write-Output': 'InputObject' };

export interface BoundParams {
  /** Canonical parameter name -> converted value (switches are booleans). */
  readonly values: Map<string, PsValue>;
  has(name: string): boolean;
  get(name: string): PsValue | undefined;
}

export interface BindResult {
  parameterSetName: string;
  params: BoundParams;
  /** Common parameters, canonical names (ErrorAction as a string, ErrorVariable...). */
  common: Map<string, PsValue>;
  /** The parameter that takes pipeline input ByValue in the chosen set, if any and unbound. */
  pipelineParameter?: CatalogParameter;
}

/** A command argument as written: `-Name`, `-Name:value`, or a value. */
export type CommandArg =
  | { kind: 'param'; name: string; text: string; value?: PsValue; hasValue: boolean; node?: unknown }
  | { kind: 'arg'; value: PsValue; text: string; node?: unknown };

export class BindingError extends Error {
  constructor(public readonly record: PsErrorRecord, public readonly node?: unknown) {
    super(record.exception.message);
  }
}

class Bound implements BoundParams {
  readonly values = new Map<string, PsValue>();
  has(name: string): boolean {
    return [...this.values.keys()].some((k) => k.toLowerCase() === name.toLowerCase());
  }
  get(name: string): PsValue | undefined {
    for (const [k, v] of this.values) if (k.toLowerCase() === name.toLowerCase()) return v;
    return undefined;
  }
}

interface MergedParam {
  name: string;
  aliases: string[];
  common: boolean;
  /** Sets the parameter belongs to (empty for common parameters = all sets). */
  sets: Map<string, CatalogParameter>;
  type: string;
}

export class Catalog {
  private readonly byName = new Map<string, string>();
  private readonly aliasMap = new Map<string, string>();
  private readonly merged = new Map<string, MergedParam[]>();

  constructor(private readonly file: CatalogFile) {
    for (const [name, c] of Object.entries(file.cmdlets)) {
      this.byName.set(name.toLowerCase(), name);
      for (const a of c.aliases) this.aliasMap.set(a.toLowerCase(), name);
    }
  }

  static load(file?: string): Catalog {
    return new Catalog(file === undefined ? loadCatalogFile() : (JSON.parse(fs.readFileSync(file, 'utf8')) as CatalogFile));
  }

  /** Canonical cmdlet name for a name or alias, or undefined. */
  resolve(name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.byName.get(lower) ?? this.aliasMap.get(lower);
  }
  has(name: string): boolean {
    return this.resolve(name) !== undefined;
  }
  cmdlet(name: string): CatalogCmdlet | undefined {
    const n = this.resolve(name);
    return n ? this.file.cmdlets[n] : undefined;
  }
  names(): string[] {
    return Object.keys(this.file.cmdlets);
  }

  cmdletTypeName(name: string): string {
    const canonical = this.resolve(name) ?? name;
    if (TYPE_NAME_OVERRIDES[canonical]) return TYPE_NAME_OVERRIDES[canonical];
    const c = this.file.cmdlets[canonical];
    const ns = c ? MODULE_NAMESPACE[c.module] : undefined;
    if (!ns) return canonical;
    return `${ns}.${canonical.replace('-', '')}Command`;
  }

  private mergedParams(name: string): MergedParam[] {
    const cached = this.merged.get(name);
    if (cached) return cached;
    const c = this.file.cmdlets[name];
    const out: MergedParam[] = [];
    const find = (n: string) => out.find((m) => m.name.toLowerCase() === n.toLowerCase());
    for (const set of c.parameterSets) {
      for (const p of set.parameters) {
        let m = find(p.name);
        if (!m) {
          m = { name: p.name, aliases: [...p.aliases], common: false, sets: new Map(), type: p.type };
          out.push(m);
        }
        m.sets.set(set.name, p);
      }
      for (const y of set.yamlOnlyParameters) {
        const m = find(y);
        const template = c.parameterSets.flatMap((s) => s.parameters).find((p) => p.name === y);
        if (m && template) m.sets.set(set.name, { ...template, required: false, position: null, positionalInSyntax: false });
      }
    }
    const commons = [...this.file.commonParameters, ...(c.supportsShouldProcess ? this.file.riskMitigationParameters : [])];
    for (const cp of commons) {
      out.push({ name: cp, aliases: COMMON_ALIASES[cp] ?? [], common: true, sets: new Map(), type: COMMON_TYPES[cp] ?? 'Object' });
    }
    this.merged.set(name, out);
    return out;
  }

  /** GetMatchingParameter: exact name, exact alias, then unique prefix over names and aliases. */
  private matchParameter(cmd: string, written: string, typeName: string, node: unknown): MergedParam {
    const params = this.mergedParams(cmd);
    const lower = written.toLowerCase();
    const exact = params.find((p) => p.name.toLowerCase() === lower) ?? params.find((p) => p.aliases.some((a) => a.toLowerCase() === lower));
    if (exact) return exact;
    const matches: MergedParam[] = [];
    for (const p of params) if (p.name.toLowerCase().startsWith(lower)) matches.push(p);
    for (const p of params) if (p.aliases.some((a) => a.toLowerCase().startsWith(lower)) && !matches.includes(p)) matches.push(p);
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) {
      const declared = matches.filter((m) => !m.common);
      if (declared.length === 1) return declared[0];
      // e.g. "Write-Output : Parameter cannot be processed because the parameter name 'e' is
      // ambiguous. Possible matches include: -ErrorAction -ErrorVariable." (public 5.1 transcript)
      throw new BindingError(
        bindingError(
          `Parameter cannot be processed because the parameter name '${written}' is ambiguous. Possible matches include:${matches.map((m) => ' -' + m.name).join('')}.`,
          'AmbiguousParameter', typeName, cmd,
        ),
        node,
      );
    }
    // "Get-ChildItem : A parameter cannot be found that matches parameter name 'la'." (5.1 transcript)
    throw new BindingError(
      bindingError(`A parameter cannot be found that matches parameter name '${written}'.`, 'NamedParameterNotFound', typeName, cmd),
      node,
    );
  }

  /**
   * Binds `args` (and whether pipeline input exists) to the cmdlet's parameter sets.
   * `firstInput` is the first pipeline object, used to pick between ByValue parameters.
   */
  bind(name: string, args: CommandArg[], hasInput: boolean, firstInput?: PsValue): BindResult {
    const cmd = this.resolve(name);
    if (!cmd) throw new Error(`not in catalog: ${name}`);
    const c = this.file.cmdlets[cmd];
    const typeName = this.cmdletTypeName(cmd);

    // 1. Pair named parameters with their values.
    const named: Array<{ param: MergedParam; value: PsValue; written: string; node?: unknown }> = [];
    const positional: Array<{ value: PsValue; text: string; node?: unknown }> = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a.kind === 'arg') {
        positional.push({ value: a.value, text: a.text, node: a.node });
        continue;
      }
      const p = this.matchParameter(cmd, a.name, typeName, a.node);
      if (named.some((n) => n.param === p)) {
        throw new BindingError(
          bindingError(
            `Cannot bind parameter because parameter '${p.name}' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, "-parameter value1,value2,value3".`,
            'ParameterAlreadyBound', typeName, cmd,
          ),
          a.node,
        );
      }
      const isSwitch = p.type === 'SwitchParameter';
      let value: PsValue;
      if (a.hasValue) value = a.value ?? null;
      else if (isSwitch) value = true;
      else {
        const next = args[i + 1];
        if (!next || next.kind === 'param') {
          // "Missing an argument for parameter '{1}'. Specify a parameter of type '{2}' and try again."
          throw new BindingError(
            bindingError(
              `Missing an argument for parameter '${p.name}'. Specify a parameter of type '${fullTypeOf(p)}' and try again.`,
              'MissingArgument', typeName, cmd,
            ),
            a.node,
          );
        }
        value = next.value;
        i++;
      }
      named.push({ param: p, value, written: a.name, node: a.node });
    }

    // 2. Candidate sets: those containing every named (non-common) parameter.
    let candidates = c.parameterSets.filter((s) => named.every((n) => n.param.common || n.param.sets.has(s.name)));
    if (candidates.length === 0) throw new BindingError(ambiguousSet(typeName, cmd));

    // 3. Positional binding, exact-type pass first. Like PowerShell's binder, the k-th positional
    // argument goes to the k-th distinct Position number among the candidate sets' unbound
    // positional parameters (Get-Command X binds -Name, Position 0 of AllCommandSet, not
    // -ArgumentList, Position 1 of both sets); a set without a parameter at that position drops out.
    const freeOf = (set: CatalogParameterSet): Array<{ name: string; pos: number }> => {
      // Parameters shown positionally in SYNTAX but numbered "Named" in the yaml (docIssues
      // positionMismatch, e.g. Write-Host -Object) are positional too, after the numbered ones.
      const order = [...set.positionalOrder, ...set.parameters.filter((p) => p.positionalInSyntax && !set.positionalOrder.includes(p.name)).map((p) => p.name)];
      return order.filter((pn) => !named.some((n) => n.param.name === pn)).map((pn, i) => {
        const pos = set.parameters.find((x) => x.name === pn)?.position;
        return { name: pn, pos: typeof pos === 'number' ? pos : 1000 + i };
      });
    };
    const positions = [...new Set(candidates.flatMap((s) => freeOf(s).map((f) => f.pos)))].sort((a, b) => a - b);
    const tryPositional = (set: CatalogParameterSet, strict: boolean): Map<string, PsValue> | undefined => {
      const mine = freeOf(set);
      const free = positions.map((pos) => mine.find((f) => f.pos === pos)?.name ?? '');
      const out = new Map<string, PsValue>();
      const remaining = REMAINING_ARGUMENTS[cmd];
      if (remaining && free.includes(remaining) && positional.length > 0) {
        // ValueFromRemainingArguments: every positional argument goes to this parameter.
        const vals = positional.map((x) => x.value);
        out.set(remaining, vals.length === 1 ? vals[0] : vals);
        return out;
      }
      if (positional.length > free.length) return undefined;
      for (let i = 0; i < positional.length; i++) {
        const p = free[i] ? set.parameters.find((x) => x.name === free[i]) : undefined;
        if (!p) return undefined;
        if (strict && !takesWithoutConversion(p, positional[i].value)) return undefined;
        out.set(p.name, positional[i].value);
      }
      return out;
    };
    let positionalBySet = new Map<string, Map<string, PsValue>>();
    if (positional.length > 0) {
      for (const strict of [true, false]) {
        positionalBySet = new Map();
        for (const s of candidates) {
          const r = tryPositional(s, strict);
          if (r) positionalBySet.set(s.name, r);
        }
        if (positionalBySet.size > 0) break;
      }
      if (positionalBySet.size === 0) {
        // "A positional parameter cannot be found that accepts argument '{1}'."
        const extra = positional[positional.length - 1];
        throw new BindingError(
          bindingError(`A positional parameter cannot be found that accepts argument '${extra.text}'.`, 'PositionalParameterNotFound', typeName, cmd),
          extra.node,
        );
      }
      candidates = candidates.filter((s) => positionalBySet.has(s.name));
    }

    // 4. Pipeline input narrows to sets with an unbound ByValue parameter accepting it.
    const boundIn = (s: CatalogParameterSet) => new Set([...named.map((n) => n.param.name), ...(positionalBySet.get(s.name)?.keys() ?? [])]);
    const pipeParam = (s: CatalogParameterSet): CatalogParameter | undefined => {
      const bound = boundIn(s);
      const byValue = s.parameters.filter((p) => p.pipeline && /ByValue/.test(p.pipeline) && !bound.has(p.name));
      return byValue.find((p) => firstInput === undefined || takesWithoutConversion(p, firstInput)) ?? byValue[0];
    };
    if (hasInput) {
      const withPipe = candidates.filter((s) => pipeParam(s));
      if (withPipe.length > 0) {
        const exact = withPipe.filter((s) => {
          const p = pipeParam(s);
          return !!p && (firstInput === undefined || takesWithoutConversion(p, firstInput));
        });
        candidates = exact.length > 0 ? exact : withPipe;
      }
    }

    // 5. Mandatory parameters.
    const missingIn = (s: CatalogParameterSet): string[] => {
      const bound = boundIn(s);
      const pipe = hasInput ? pipeParam(s) : undefined;
      return s.parameters.filter((p) => p.required && !bound.has(p.name) && p !== pipe && !(hasInput && p.pipeline && /ByPropertyName/.test(p.pipeline))).map((p) => p.name);
    };
    const complete = candidates.filter((s) => missingIn(s).length === 0);
    let chosen: CatalogParameterSet | undefined;
    if (complete.length === 1) chosen = complete[0];
    else if (complete.length > 1) {
      chosen = complete.find((s) => s.isDefault || s.name === c.defaultParameterSet);
      if (!chosen) {
        // Prefer the set whose parameters were all given explicitly (fewest leftovers).
        const explicit = complete.filter((s) => named.every((n) => n.param.common || n.param.sets.has(s.name)) && s.parameters.length === Math.min(...complete.map((x) => x.parameters.length)));
        if (explicit.length === 1) chosen = explicit[0];
        else throw new BindingError(ambiguousSet(typeName, cmd));
      }
    } else {
      const pick = candidates.find((s) => s.isDefault || s.name === c.defaultParameterSet) ?? candidates[0];
      // "Cannot process command because of one or more missing mandatory parameters: Uri."
      // (5.1 transcript of Invoke-WebRequest: InvalidArgument, ParameterBindingException,
      // MissingMandatoryParameter,Microsoft.PowerShell.Commands.InvokeWebRequestCommand)
      throw new BindingError(
        bindingError(
          `Cannot process command because of one or more missing mandatory parameters:${missingIn(pick).map((m) => ' ' + m).join('')}.`,
          'MissingMandatoryParameter', typeName, cmd,
        ),
      );
    }

    // 6. Convert and validate.
    const params = new Bound();
    const common = new Map<string, PsValue>();
    const all = [
      ...named.map((n) => ({ name: n.param.name, value: n.value, common: n.param.common, node: n.node, catalog: n.param.sets.get(chosen!.name) })),
      ...[...(positionalBySet.get(chosen.name) ?? new Map<string, PsValue>())].map(([pn, v]) => ({
        name: pn, value: v, common: false, node: undefined as unknown, catalog: chosen!.parameters.find((p) => p.name === pn),
      })),
    ];
    for (const b of all) {
      if (b.common) {
        common.set(b.name, convertCommon(b.name, b.value, typeName, cmd));
        continue;
      }
      const p = b.catalog!;
      params.values.set(p.name, convertParameter(p, b.value, typeName, cmd));
    }
    return { parameterSetName: chosen.name, params, common, pipelineParameter: hasInput ? pipeParam(chosen) : undefined };
  }
}

function fullTypeOf(p: MergedParam): string {
  for (const cp of p.sets.values()) return cp.fullType;
  const t = COMMON_TYPES[p.name];
  if (t === 'SwitchParameter') return 'System.Management.Automation.SwitchParameter';
  if (t === 'ActionPreference') return 'System.Management.Automation.ActionPreference';
  return `System.${t}`;
}

export function bindingError(message: string, id: string, typeName: string, cmd: string, exceptionType = 'System.Management.Automation.ParameterBindingException'): PsErrorRecord {
  return makeError(exceptionType, message, `${id},${typeName}`, 'InvalidArgument', null, { activity: cmd, commandName: cmd });
}

function ambiguousSet(typeName: string, cmd: string): PsErrorRecord {
  // 5.1 text (a Japanese 5.1 transcript of Get-WinEvent -LogName -FilterHashtable shows the same
  // single sentence: InvalidArgument, ParameterBindingException); the longer "...One or few of the parameters mentioned cannot be used together..."
  // wording of ParameterBinderStrings.resx is PowerShell 7's.
  return bindingError('Parameter set cannot be resolved using the specified named parameters.', 'AmbiguousParameterSet', typeName, cmd);
}

/** Does the parameter take this value as-is (first binding pass)? */
function takesWithoutConversion(p: CatalogParameter, v: PsValue): boolean {
  const t = p.type.replace(/\[\]$/, '');
  const item = isArray(v) ? v[0] ?? null : v;
  switch (t) {
    case 'Object':
    case 'PSObject':
      return true;
    case 'String':
      return typeof item === 'string';
    case 'ScriptBlock':
      return item instanceof PsScriptBlock;
    case 'Int32':
    case 'Int64':
    case 'Double':
    case 'UInt32':
    case 'Int16':
      return typeof item === 'number';
    case 'Hashtable':
    case 'IDictionary':
      return item instanceof PsHashtable;
    case 'DateTime':
      return item instanceof PsDateTime;
    case 'SwitchParameter':
    case 'Boolean':
      return typeof item === 'boolean';
    default:
      return item instanceof PsObject && item.typeNames.some((n) => n.endsWith('.' + t) || n === t);
  }
}

function validateSet(p: CatalogParameter, v: PsValue, typeName: string, cmd: string): void {
  if (!p.acceptedValues || p.acceptedValues.length === 0) return;
  for (const item of isArray(v) ? v : [v]) {
    const s = item instanceof PsEnum ? item.name : toStr(item);
    if (!p.acceptedValues.some((a) => a.toLowerCase() === s.toLowerCase())) {
      // "Cannot validate argument on parameter 'Format'. The argument "tif" does not belong to the
      // set "pdf,svg,png,dot,base64,jpg" specified by the ValidateSet attribute. Supply an argument
      // that is in the set and then try the command again." (public Pester test of a 5.1 module);
      // InvalidData / ParameterBindingValidationException / ParameterArgumentValidationError.
      const rec = makeError(
        'System.Management.Automation.ParameterBindingValidationException',
        `Cannot validate argument on parameter '${p.name}'. The argument "${s}" does not belong to the set "${p.acceptedValues.join(',')}" specified by the ValidateSet attribute. Supply an argument that is in the set and then try the command again.`,
        `ParameterArgumentValidationError,${typeName}`, 'InvalidData', null, { activity: cmd, commandName: cmd },
      );
      throw new BindingError(rec);
    }
  }
}

function convertCommon(name: string, v: PsValue, typeName: string, cmd: string): PsValue {
  if (COMMON_TYPES[name] === 'ActionPreference') {
    const s = v instanceof PsEnum ? v.name : toStr(v);
    const match = ACTION_PREFERENCES.find((a) => a.toLowerCase() === s.toLowerCase());
    if (!match) {
      // "Cannot bind parameter 'ErrorAction'. Cannot convert value "x" to type
      // "System.Management.Automation.ActionPreference". Error: "Unable to match the identifier
      // name x to a valid enumerator name. Specify one of the following enumerator names and try
      // again: SilentlyContinue, Stop, Continue, Inquire, Ignore, Suspend""
      throw new BindingError(
        bindingError(
          `Cannot bind parameter '${name}'. Cannot convert value "${s}" to type "System.Management.Automation.ActionPreference". Error: "Unable to match the identifier name ${s} to a valid enumerator name. Specify one of the following enumerator names and try again:\n${ACTION_PREFERENCES.join(', ')}"`,
          'CannotConvertArgumentNoMessage', typeName, cmd,
        ),
      );
    }
    return match;
  }
  if (COMMON_TYPES[name] === 'SwitchParameter') return typeof v === 'boolean' ? v : v !== null;
  return toStr(v);
}

/** Converts a bound value to the parameter's declared type (the types the simulator models). */
export function convertParameter(p: CatalogParameter, v: PsValue, typeName: string, cmd: string): PsValue {
  const isArr = p.type.endsWith('[]');
  const el = p.type.replace(/\[\]$/, '');
  const convertOne = (x: PsValue): PsValue => {
    switch (el) {
      case 'String':
        if (isArray(x)) {
          throw new BindingError(
            bindingError(
              `Cannot convert '${typeNameOf(x)}' to the type 'System.String' required by parameter '${p.name}'. Specified method is not supported.`,
              'CannotConvertArgument', typeName, cmd,
            ),
          );
        }
        return x === null ? null : toStr(x);
      case 'SwitchParameter':
        return typeof x === 'boolean' ? x : x !== null && toStr(x) !== 'False';
      case 'Int32':
      case 'Int64':
      case 'Int16':
      case 'UInt32':
      case 'Double':
      case 'DateTime':
      case 'Boolean':
      case 'Char':
      case 'Hashtable':
      case 'ScriptBlock': {
        const target = { Int32: 'int', Int64: 'long', Int16: 'int16', UInt32: 'uint32', Double: 'double', DateTime: 'datetime', Boolean: 'bool', Char: 'char', Hashtable: 'hashtable', ScriptBlock: 'scriptblock' }[el]!;
        try {
          return convertTo(x, target);
        } catch (e) {
          if (e instanceof ConversionError) {
            // "Cannot bind parameter 'Id'. Cannot convert value "abc" to type "System.Int32".
            // Error: "Input string was not in a correct format."" (CannotConvertArgumentNoMessage)
            throw new BindingError(bindingError(`Cannot bind parameter '${p.name}'. ${e.message}`, 'CannotConvertArgumentNoMessage', typeName, cmd));
          }
          if (e instanceof UnsupportedCast) throw e;
          throw e;
        }
      }
      case 'IDictionary':
        if (!(x instanceof PsHashtable)) {
          throw new BindingError(
            bindingError(
              `Cannot bind parameter '${p.name}'. Cannot convert the "${toStr(x)}" value of type "${typeNameOf(x)}" to type "System.Collections.IDictionary".`,
              'CannotConvertArgumentNoMessage', typeName, cmd,
            ),
          );
        }
        return x;
      case 'Object':
      case 'PSObject':
        return x;
      default:
        return unmodelled(p, el, x, typeName, cmd);
    }
  };
  if (p.acceptedValues && p.acceptedValues.length && el !== 'String') {
    // An enum-typed parameter: the docs list the enumerator names; a wrong name is a conversion
    // error, not a ValidateSet one (5.1: ... Error: "Unable to match the identifier name X to a
    // valid enumerator name. Specify one of the following enumerator names and try again:\n
    // A, B, C", as in public transcripts of Set-Content -Encoding and FileShare conversions).
    const names = p.acceptedValues;
    const one = (x: PsValue): PsValue => {
      const s = x instanceof PsEnum ? x.name : toStr(x);
      const match = names.find((n) => n.toLowerCase() === s.toLowerCase());
      if (match) return match;
      throw new BindingError(
        bindingError(
          `Cannot bind parameter '${p.name}'. Cannot convert value "${s}" to type "${p.fullType}". Error: "Unable to match the identifier name ${s} to a valid enumerator name. Specify one of the following enumerator names and try again:\n${names.join(', ')}"`,
          'CannotConvertArgumentNoMessage', typeName, cmd,
        ),
      );
    };
    return isArr ? (v === null ? null : (isArray(v) ? v : [v]).map(one)) : one(v);
  }
  let out: PsValue;
  if (isArr) out = v === null ? null : (isArray(v) ? v : [v]).map(convertOne);
  else if (el === 'Object' || el === 'PSObject') out = v;
  else out = convertOne(v);
  if (p.required) validateMandatory(p, out, typeName, cmd);
  validateSet(p, out, typeName, cmd);
  return out;
}

/**
 * A value for a parameter whose .NET type the simulator does not model: an object of that type
 * (or one deriving from it, by its type names) binds; a string binds where .NET has a string
 * constructor or Parse PowerShell's converter uses (Uri, Version, Guid, TimeSpan); another
 * object is refused as PowerShell refuses it ("Cannot convert the "x" value of type "T" to type
 * "U"", CannotConvertArgumentNoMessage); anything else fails loudly rather than being guessed at.
 */
const STRING_CONVERTIBLE = new Set(['Uri', 'Version', 'Guid', 'TimeSpan']);
function unmodelled(p: CatalogParameter, el: string, x: PsValue, typeName: string, cmd: string): PsValue {
  if (x === null) return x;
  const full = p.fullType.replace(/\[\]$/, '');
  if (x instanceof PsObject && x.typeNames.some((n) => n === full || n === el || n.endsWith('.' + el))) return x;
  if (typeof x === 'string' && STRING_CONVERTIBLE.has(el)) return x;
  if (x instanceof PsObject || x instanceof PsHashtable || isArray(x)) {
    throw new BindingError(
      bindingError(
        `Cannot bind parameter '${p.name}'. Cannot convert the "${toStr(x)}" value of type "${typeNameOf(x)}" to type "${full}".`,
        'CannotConvertArgumentNoMessage', typeName, cmd,
      ),
    );
  }
  throw new UnsupportedCast(full);
}

/**
 * Mandatory parameters that do carry [AllowNull] / [AllowEmptyString] / [AllowEmptyCollection]
 * (the attributes of these cmdlets in the PowerShell repository's source, as Get-Command shows
 * them in pwsh 7.6; Test-Path's were added after 5.1: PowerShell/PowerShell issue #8076 shows
 * 6.1 refusing $null). WebAdministration's are not published: none assumed.
 */
const ALLOWS: Record<string, { nul?: true; empty?: true; emptyCollection?: true }> = {
  'ConvertFrom-Json -InputObject': { empty: true },
  'ConvertTo-Json -InputObject': { nul: true },
  'ForEach-Object -Process': { nul: true, emptyCollection: true },
  'Join-Path -ChildPath': { nul: true, empty: true, emptyCollection: true },
  'New-Item -Name': { nul: true, empty: true },
  'Set-ItemProperty -Value': { nul: true },
  'Write-Error -Message': { nul: true, empty: true },
  'Write-Output -InputObject': { nul: true, emptyCollection: true },
  'Write-Warning -Message': { empty: true },
};

/**
 * A mandatory parameter refuses $null, '' (string types) and an empty collection (array types),
 * element by element too, unless it allows them (ParameterBinderBase.ValidateNullOrEmptyArgument
 * in the PowerShell repository; messages and ids as pwsh prints them and as 5.1 transcripts show:
 * "Cannot bind argument to parameter 'Path' because it is an empty string.", InvalidData,
 * ParameterBindingValidationException, ParameterArgumentValidationErrorEmptyStringNotAllowed).
 */
function validateMandatory(p: CatalogParameter, v: PsValue, typeName: string, cmd: string): void {
  const allow = ALLOWS[`${cmd} -${p.name}`] ?? {};
  const fail = (what: string, id: string): never => {
    throw new BindingError(makeError(
      'System.Management.Automation.ParameterBindingValidationException',
      `Cannot bind argument to parameter '${p.name}' because it is ${what}.`,
      `ParameterArgumentValidationError${id},${typeName}`, 'InvalidData', null, { activity: cmd, commandName: cmd },
    ));
  };
  const isString = p.type.replace(/\[\]$/, '') === 'String';
  const one = (x: PsValue): void => {
    if (x === null && isString && !allow.empty) fail('an empty string', 'EmptyStringNotAllowed');
    if (x === null && !allow.nul) fail('null', 'NullNotAllowed');
    if (x === '' && isString && !allow.empty) fail('an empty string', 'EmptyStringNotAllowed');
  };
  if (v === null) {
    if (!allow.nul) fail('null', 'NullNotAllowed');
    return;
  }
  if (p.type.endsWith('[]') && isArray(v)) {
    if (v.length === 0 && !allow.emptyCollection) fail('an empty array', 'EmptyArrayNotAllowed');
    v.forEach(one);
  } else one(v);
}
