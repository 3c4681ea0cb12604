import { convertToJson51, prettyPrint51, jsonString } from '../../../lib/sim/json51';
import { PsDateTime, PsEnum, PsHashtable, PsObject } from '../../../lib/sim/values';
import { out, run } from './interp.helpers';

const obj = (props: Array<[string, unknown]>) => PsObject.custom(props as never);

describe('ConvertTo-Json 5.1 (JavaScriptSerializer) values', () => {
  it('writes enums as integers and dates as \\/Date(ms)\\/', () => {
    const svc = obj([['Status', new PsEnum('System.ServiceProcess.ServiceControllerStatus', 'Running', 4)], ['When', new PsDateTime(1574202819000, 'Utc')]]);
    expect(convertToJson51([svc], { compress: true })).toBe('{"Status":4,"When":"\\/Date(1574202819000)\\/"}');
  });
  it("escapes ' < > & as \\u0027 \\u003c \\u003e \\u0026 and passes non-ASCII raw", () => {
    expect(jsonString("it's <b>&amp;</b> é 😀")).toBe('"it\\u0027s \\u003cb\\u003e\\u0026amp;\\u003c/b\\u003e é 😀"');
    expect(JSON.parse(jsonString("it's <b>"))).toBe("it's <b>");
  });
  it('truncates beyond -Depth to the string form, silently', () => {
    const inner = new PsHashtable(true);
    inner.set('x', 1);
    const deep = obj([['a', obj([['b', obj([['c', 1]])], ['h', inner]])]]);
    // Default depth 2: level 3 objects become their ToString text.
    expect(convertToJson51([obj([['top', deep]])], { compress: true })).toBe('{"top":{"a":{"b":"@{c=1}","h":"System.Collections.Specialized.OrderedDictionary"}}}');
    expect(convertToJson51([obj([['top', deep]])], { compress: true, depth: 10 })).toBe('{"top":{"a":{"b":{"c":1},"h":{"x":1}}}}');
  });
  it('emits the Get-Date wrapper {value, DisplayHint, DateTime}', () => {
    const d = new PsDateTime(Date.UTC(2024, 6, 14, 2, 13, 2), 'Local', 2);
    expect(convertToJson51([d], { compress: true })).toBe('{"value":"\\/Date(1720923182000)\\/","DisplayHint":2,"DateTime":"Sunday, July 14, 2024 2:13:02 AM"}');
  });
  it('has no output for $null input and one array for several pipeline objects', () => {
    expect(convertToJson51([null])).toBeUndefined();
    expect(convertToJson51([1, 'a'], { compress: true })).toBe('[1,"a"]');
  });
});

describe('5.1 pretty printer', () => {
  it('reproduces the layout of the 5.1 help example (Calendar object)', () => {
    const compact = '{"MinSupportedDateTime":"\\/Date(-62135568000000)\\/","AlgorithmType":1,"Eras":[1],"TwoDigitYearMax":2029,"IsReadOnly":false}';
    expect(prettyPrint51(compact)).toBe(
      [
        '{',
        '    "MinSupportedDateTime":  "\\/Date(-62135568000000)\\/",',
        '    "AlgorithmType":  1,',
        '    "Eras":  [',
        '                 1',
        '             ],',
        '    "TwoDigitYearMax":  2029,',
        '    "IsReadOnly":  false',
        '}',
      ].join('\r\n'),
    );
  });
  it('indents a nested object after its key like the TimeOfDay example', () => {
    expect(prettyPrint51('{"Minute":6,"TimeOfDay":{"Ticks":1,"Days":0},"Year":2012}')).toBe(
      ['{', '    "Minute":  6,', '    "TimeOfDay":  {', '                      "Ticks":  1,', '                      "Days":  0', '                  },', '    "Year":  2012', '}'].join('\r\n'),
    );
  });
  it('does not break inside strings containing , : { [', () => {
    expect(prettyPrint51('["a,b:{c}[d]"]')).toBe('[\r\n    "a,b:{c}[d]"\r\n]');
  });
});

describe('ConvertTo-Json through the pipeline (quirk table, docs/sources.md §P3)', () => {
  it('collapses a single-element pipeline and prints nothing for an empty one', async () => {
    expect(await out("@([pscustomobject]@{a=1}) | ConvertTo-Json -Compress")).toEqual(['{"a":1}']);
    expect((await run('@() | ConvertTo-Json')).stdout).toBe('');
  });
  it('-InputObject keeps arrays, even of one or zero items', async () => {
    expect(await out('ConvertTo-Json -InputObject @(1) -Compress')).toEqual(['[1]']);
    expect(await out('ConvertTo-Json -InputObject @() -Compress')).toEqual(['[]']);
  });
  it('serializes Get-Date with the wrapper and [datetime] values plainly', async () => {
    const [wrapped] = await out('Get-Date | ConvertTo-Json -Compress');
    expect(Object.keys(JSON.parse(wrapped))).toEqual(['value', 'DisplayHint', 'DateTime']);
    const [plain] = await out('[datetime]::UtcNow | ConvertTo-Json -Compress');
    expect(plain).toMatch(/^"\\\/Date\(\d+\)\\\/"$/);
  });
  it('rejects -Depth above 100', async () => {
    const r = await run("try { ConvertTo-Json -InputObject 1 -Depth 101 } catch { [Console]::Out.WriteLine($_.FullyQualifiedErrorId) }");
    expect(r.stdout).toBe('ReachedMaximumDepthAllowed,Microsoft.PowerShell.Commands.ConvertToJsonCommand\n');
  });
  it('ConvertFrom-Json reads objects and MS dates back', async () => {
    expect(await out("$o = '{\"a\":[1,2],\"d\":\"\\/Date(0)\\/\"}' | ConvertFrom-Json\n[Console]::Out.WriteLine($o.a.Count.ToString() + ' ' + $o.d.ToUniversalTime().ToString('o'))")).toEqual(['2 1970-01-01T00:00:00.0000000Z']);
  });
});
