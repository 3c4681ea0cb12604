import { BindingError, Catalog, CommandArg } from '../../../lib/sim/catalog';
import { PsHashtable, PsObject, PsScriptBlock, PsValue } from '../../../lib/sim/values';
import { newInterp, run } from './interp.helpers';

const catalog = Catalog.load();
const p = (name: string, value?: PsValue): CommandArg =>
  value === undefined ? { kind: 'param', name, text: '-' + name, hasValue: false } : { kind: 'param', name, text: `-${name}:`, value, hasValue: true };
const a = (value: PsValue): CommandArg => ({ kind: 'arg', value, text: String(value) });
const sb = new PsScriptBlock({}, '{ }', { source: '' });

function bindError(name: string, args: CommandArg[], hasInput = false): { message: string; fqid: string; category: string } {
  try {
    catalog.bind(name, args, hasInput);
  } catch (e) {
    if (e instanceof BindingError) return { message: e.record.exception.message, fqid: e.record.fullyQualifiedErrorId, category: e.record.category };
    throw e;
  }
  throw new Error('bound without error');
}

describe('parameter sets', () => {
  it('Get-Service: positional Name binds the Default set as String[]', () => {
    const r = catalog.bind('Get-Service', [a('W3SVC')], false);
    expect(r.parameterSetName).toBe('Default');
    expect(r.params.get('Name')).toEqual(['W3SVC']);
  });
  it('Stop-Service -Name -Force -NoWait, prefixes, aliases and -Switch:$false', () => {
    const r = catalog.bind('spsv', [p('ServiceName'), a('W3SVC'), p('fo'), p('NoWait', false)], false);
    expect(r.parameterSetName).toBe('Default');
    expect(r.params.get('Name')).toEqual(['W3SVC']);
    expect(r.params.get('Force')).toBe(true);
    expect(r.params.get('NoWait')).toBe(false);
  });
  it('Stop-Service with pipeline ServiceController input picks the InputObject set', () => {
    const svc = new PsObject(['System.ServiceProcess.ServiceController', 'System.Object']);
    const r = catalog.bind('Stop-Service', [p('Force')], true, svc);
    expect(r.parameterSetName).toBe('InputObject');
  });
  it('Start-Service accepts WhatIf/Confirm (ShouldProcess) and common parameters', () => {
    const r = catalog.bind('Start-Service', [a('WAS'), p('WhatIf'), p('ea', 'Stop'), p('ErrorVariable', 'e')], false);
    expect(r.common.get('WhatIf')).toBe(true);
    expect(r.common.get('ErrorAction')).toBe('Stop');
    expect(r.common.get('ErrorVariable')).toBe('e');
  });
  it('Get-WinEvent -FilterHashtable binds the HashQuerySet; with -LogName it is ambiguous', () => {
    const h = new PsHashtable();
    h.set('LogName', 'System');
    const r = catalog.bind('Get-WinEvent', [p('FilterHashtable'), a(h), p('MaxEvents'), a(50)], false);
    expect(r.parameterSetName).toBe('HashQuerySet');
    expect(r.params.get('FilterHashtable')).toEqual([h]);
    expect(r.params.get('MaxEvents')).toBe(50);
    // Japanese 5.1 transcript of exactly this mistake: AmbiguousParameterSet.
    expect(bindError('Get-WinEvent', [p('LogName'), a('System'), p('FilterHashtable'), a(h)])).toEqual({
      message: 'Parameter set cannot be resolved using the specified named parameters.',
      fqid: 'AmbiguousParameterSet,Microsoft.PowerShell.Commands.GetWinEventCommand',
      category: 'InvalidArgument',
    });
  });
  it('Get-CimInstance -ClassName -Filter', () => {
    const r = catalog.bind('Get-CimInstance', [p('ClassName'), a('Win32_Service'), p('Filter'), a("Name='W3SVC'")], false);
    expect(r.parameterSetName).toBe('ClassNameComputerSet');
    expect(r.params.get('Filter')).toBe("Name='W3SVC'");
  });
  it('Invoke-Command -ComputerName -ScriptBlock -ArgumentList', () => {
    const r = catalog.bind('Invoke-Command', [p('ComputerName'), a('web01'), p('ScriptBlock'), a(sb), p('ArgumentList'), a(['x', 1])], false);
    expect(r.parameterSetName).toBe('ComputerName');
    expect(r.params.get('ComputerName')).toEqual(['web01']);
    expect(r.params.get('ArgumentList')).toEqual(['x', 1]);
  });
  it('Stop-WebAppPool -Name and Get-WebConfigurationProperty', () => {
    expect(catalog.bind('Stop-WebAppPool', [p('Name'), a('DefaultAppPool')], false).params.get('Name')).toBe('DefaultAppPool');
    const r = catalog.bind('Get-WebConfigurationProperty', [p('Filter'), a('system.applicationHost/sites'), p('Name'), a('.'), p('PSPath'), a('IIS:\\')], false);
    expect(r.params.get('Name')).toEqual(['.']);
  });
  it('Where-Object { } binds ScriptBlockSet and `Name -eq x` binds EqualSet', () => {
    expect(catalog.bind('Where-Object', [a(sb)], true, 1).parameterSetName).toBe('ScriptBlockSet');
    const r = catalog.bind('?', [a('Name'), p('eq'), a('x')], true, 1);
    expect(r.parameterSetName).toBe('EqualSet');
    expect([r.params.get('Property'), r.params.get('Value'), r.params.get('EQ')]).toEqual(['Name', 'x', true]);
  });
});

describe('binding errors (5.1 texts)', () => {
  it('unknown parameter: NamedParameterNotFound with the name as written', () => {
    expect(bindError('Get-Service', [p('Nmae'), a('x')])).toEqual({
      message: "A parameter cannot be found that matches parameter name 'Nmae'.",
      fqid: 'NamedParameterNotFound,Microsoft.PowerShell.Commands.GetServiceCommand',
      category: 'InvalidArgument',
    });
  });
  it('ambiguous prefix lists every match with " -"', () => {
    // Write-Output -e: "Possible matches include: -ErrorAction -ErrorVariable." (5.1 transcript)
    expect(bindError('Write-Output', [p('e'), a('x')]).message).toBe(
      "Parameter cannot be processed because the parameter name 'e' is ambiguous. Possible matches include: -ErrorAction -ErrorVariable.",
    );
  });
  it('a declared parameter wins over common parameters with the same prefix', () => {
    // -E matches Exclude (declared) and ErrorAction/ErrorVariable (common): Exclude wins.
    expect(catalog.bind('Get-Service', [p('E'), a('x')], false).params.get('Exclude')).toEqual(['x']);
    // -In matches two declared parameters (Include, InputObject): ambiguous.
    expect(bindError('Stop-Service', [p('In'), a('x')]).fqid).toBe('AmbiguousParameter,Microsoft.PowerShell.Commands.StopServiceCommand');
  });
  it('missing mandatory parameter fails (no prompt under -NonInteractive)', () => {
    // Same text as the public 5.1 transcript of Invoke-WebRequest without -Uri.
    expect(bindError('Invoke-WebRequest', [])).toEqual({
      message: 'Cannot process command because of one or more missing mandatory parameters: Uri.',
      fqid: 'MissingMandatoryParameter,Microsoft.PowerShell.Commands.InvokeWebRequestCommand',
      category: 'InvalidArgument',
    });
  });
  it('ValidateSet on a String parameter', () => {
    const e = bindError('Set-Service', [p('Name'), a('W3SVC'), p('Status'), a('Sleeping')]);
    expect(e.message).toBe(
      'Cannot validate argument on parameter \'Status\'. The argument "Sleeping" does not belong to the set "Paused,Running,Stopped" specified by the ValidateSet attribute. Supply an argument that is in the set and then try the command again.',
    );
    expect(e.fqid).toBe('ParameterArgumentValidationError,Microsoft.PowerShell.Commands.SetServiceCommand');
    expect(e.category).toBe('InvalidData');
  });
  it('enum-typed parameters fail with the enumerator-name conversion error', () => {
    const e = bindError('Set-Service', [p('Name'), a('W3SVC'), p('StartupType'), a('Sometimes')]);
    expect(e.message).toBe(
      'Cannot bind parameter \'StartupType\'. Cannot convert value "Sometimes" to type "System.ServiceProcess.ServiceStartMode". Error: "Unable to match the identifier name Sometimes to a valid enumerator name. Specify one of the following enumerator names and try again:\nBoot, System, Automatic, Manual, Disabled"',
    );
    expect(e.fqid).toBe('CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.SetServiceCommand');
    expect(catalog.bind('Set-Service', [p('Name'), a('W3SVC'), p('StartupType'), a('manual')], false).params.get('StartupType')).toBe('Manual');
  });
  it('ConvertTo-Json has no -AsArray or -EnumsAsStrings in 5.1', () => {
    expect(bindError('ConvertTo-Json', [p('AsArray')], true).fqid).toBe('NamedParameterNotFound,Microsoft.PowerShell.Commands.ConvertToJsonCommand');
    expect(bindError('ConvertTo-Json', [p('EnumsAsStrings')], true).message).toBe("A parameter cannot be found that matches parameter name 'EnumsAsStrings'.");
  });
  it('type conversion failures and missing arguments', () => {
    expect(bindError('ConvertTo-Json', [p('Depth'), a('deep')], true).message).toBe(
      'Cannot bind parameter \'Depth\'. Cannot convert value "deep" to type "System.Int32". Error: "Input string was not in a correct format."',
    );
    expect(bindError('Get-Service', [p('Name')]).message).toBe("Missing an argument for parameter 'Name'. Specify a parameter of type 'System.String[]' and try again.");
    expect(bindError('Get-Service', [p('Name'), a('a'), p('Name'), a('b')]).fqid).toBe('ParameterAlreadyBound,Microsoft.PowerShell.Commands.GetServiceCommand');
  });
  it('a positional argument nobody takes', () => {
    expect(bindError('Get-Date', [a('x'), a('y')]).message).toBe("A positional parameter cannot be found that accepts argument 'y'.");
  });
});

describe('binding errors through the interpreter', () => {
  it('are catchable ParameterBindingExceptions and print the parameter extent on stderr', async () => {
    const r = await newInterp().runLine('Get-Service -Nmae x');
    expect(r.stderr).toBe(
      "Get-Service : A parameter cannot be found that matches parameter name 'Nmae'.\nAt line:1 char:13\n+ Get-Service -Nmae x\n+             ~~~~~\n    + CategoryInfo          : InvalidArgument: (:) [Get-Service], ParameterBindingException\n    + FullyQualifiedErrorId : NamedParameterNotFound,Microsoft.PowerShell.Commands.GetServiceCommand\n \n",
    );
    const caught = await run("try { ConvertTo-Json -InputObject 1 -AsArray } catch { [Console]::Out.WriteLine($_.Exception.GetType().FullName) }");
    expect(caught.stdout).toBe('System.Management.Automation.ParameterBindingException\n');
  });
});
