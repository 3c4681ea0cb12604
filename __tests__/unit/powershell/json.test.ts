import { asArray, objectStateName, parsePsJson, serviceStatusName, startModeName } from '../../../lib/powershell/json';

// Literal samples of Windows PowerShell 5.1 ConvertTo-Json output
// (docs/sources.md §P3, §3.5).
describe('Windows PowerShell 5.1 JSON normalisation', () => {
  it('treats empty output as no objects', () => {
    expect(parsePsJson('')).toEqual([]);
    expect(parsePsJson('  \r\n')).toEqual([]);
    expect(parsePsJson('null')).toEqual([]);
  });

  it('wraps a single collapsed object into a list', () => {
    expect(parsePsJson('{"Name":"W3SVC","Status":4}')).toEqual([{ Name: 'W3SVC', Status: 4 }]);
    expect(parsePsJson('[{"Name":"W3SVC"},{"Name":"WAS"}]')).toHaveLength(2);
  });

  it('turns \\/Date(ms)\\/ strings into dates, with or without an offset', () => {
    const [v] = parsePsJson('{"TimeCreated":"\\/Date(1574202819000)\\/","Old":"\\/Date(-62135596800000)\\/","Off":"\\/Date(1574202819000+0100)\\/"}') as Record<string, Date>[];
    expect(v.TimeCreated).toEqual(new Date(1574202819000));
    expect(v.Old.toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(v.Off).toEqual(new Date(1574202819000));
  });

  it('unwraps the Get-Date {value, DisplayHint, DateTime} shape', () => {
    const [v] = parsePsJson('{"value":"\\/Date(1720923182000)\\/","DisplayHint":2,"DateTime":"Sunday 14 July 2024 02:13:02"}');
    expect(v).toEqual(new Date(1720923182000));
  });

  it('unwraps the ETS {value, Count} array wrapper', () => {
    expect(parsePsJson('{"value":[1,2,3],"Count":3}')).toEqual([1, 2, 3]);
    expect(parsePsJson('{"data":{"value":["a"],"Count":1}}')).toEqual([{ data: ['a'] }]);
  });

  it('unwraps a primitive that came back through remoting with its notes, wherever it appears', () => {
    // 5.1 ConvertTo-Json of a note-carrying primitive (ConvertToJsonCommand.cs AddPsProperties) as
    // Invoke-Command returns it (about_Remote_Output: PSComputerName, RunspaceId, PSShowComputerName).
    const notes = '"PSComputerName":"WEB02","RunspaceId":"6f1c0e2a-8c5d-4a57-9a59-3b8e3f0e1a11","PSShowComputerName":true';
    expect(parsePsJson(`{"value":37,${notes}}`)).toEqual([37]);
    expect(parsePsJson(`{"data":{"value":"x",${notes}},"list":[{"value":0,${notes}}]}`)).toEqual([{ data: 'x', list: [0] }]);
    expect(parsePsJson(`{"value":"\\/Date(1720923182000)\\/","DisplayHint":2,"DateTime":"x",${notes}}`)).toEqual([new Date(1720923182000)]);
    // An object that has other properties next to them is data, kept as is.
    expect(parsePsJson(`{"value":1,"name":"a",${notes}}`)).toEqual([{ value: 1, name: 'a', PSComputerName: 'WEB02', RunspaceId: '6f1c0e2a-8c5d-4a57-9a59-3b8e3f0e1a11', PSShowComputerName: true }]);
  });

  it('keeps an object that merely has a value key', () => {
    expect(parsePsJson('{"value":"x","Count":1}')).toEqual([{ value: 'x', Count: 1 }]);
  });

  it('restores the four HTML-escaped characters', () => {
    expect(parsePsJson('{"s":"\\u0027a\\u003cb\\u003ec\\u0026d"}')).toEqual([{ s: "'a<b>c&d" }]);
  });

  it('accepts the multi-line 5.1 pretty format with two spaces after colons', () => {
    expect(parsePsJson('{\r\n    "Name":  "WAS",\r\n    "Status":  1\r\n}')).toEqual([{ Name: 'WAS', Status: 1 }]);
  });

  it('maps enum integers to names and passes names through', () => {
    expect(serviceStatusName(4)).toBe('Running');
    expect(serviceStatusName(3)).toBe('StopPending');
    expect(serviceStatusName('Stopped')).toBe('Stopped');
    expect(startModeName(2)).toBe('Automatic');
    expect(startModeName(4)).toBe('Disabled');
    expect(objectStateName(1)).toBe('Started');
    expect(objectStateName(3)).toBe('Stopped');
    expect(() => serviceStatusName(99)).toThrow(/ServiceControllerStatus/);
  });

  it('asArray restores lists that 5.1 collapsed', () => {
    expect(asArray(null)).toEqual([]);
    expect(asArray('')).toEqual([]);
    expect(asArray({ a: 1 })).toEqual([{ a: 1 }]);
    expect(asArray([1])).toEqual([1]);
  });
});
