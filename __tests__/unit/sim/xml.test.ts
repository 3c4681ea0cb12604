/**
 * [xml] and EventRecord.ToXml() in the simulated host, as real PowerShell shows them. The expected
 * values of the adapter cases were taken from real PowerShell (pwsh 7.6 on Linux, same XmlNodeAdapter
 * as 5.1: PowerShell repository, src/System.Management.Automation/engine/CoreAdapter.cs).
 */
import { INSERTION_STRINGS } from '../../../lib/scripts/events';
import { out, run } from './interp.helpers';
import { simRunspace } from './simhost.helpers';

const EVENT = `$d = [xml]'<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="P"/><EventID>7</EventID></System><EventData><Data Name="a">x</Data><Data Name="b"></Data><Data>plain</Data><Data></Data><Data/><Binary>00</Binary></EventData></Event>'`;

describe('[xml] in the simulated host (PowerShell XmlNodeAdapter)', () => {
  it('a Data element with a Name attribute is an XmlElement whose #text is the value; one without attributes is a string', async () => {
    await expect(out(`${EVENT}
$d.Event.EventData.Data | ForEach-Object { '[{0}] {1}' -f $_.GetType().FullName, $(if ($_ -is [string]) { $_ } else { $_.'#text' + '/' + $_.Name }) }`)).resolves.toEqual([
      '[System.Xml.XmlElement] x/a', '[System.Xml.XmlElement] /b', '[System.String] plain', '[System.String] ', '[System.String] ',
    ]);
  });

  it('one Data element is a single value, several an array; an empty element without attributes is an empty string', async () => {
    await expect(out(`$e = [xml]'<Event><EventData><Data>only</Data></EventData></Event>'
$e.Event.EventData.Data.GetType().FullName
$e.Event.EventData.GetType().FullName
$f = [xml]'<Event><EventData></EventData><UserData><X xmlns="u"><A>1</A><B>2</B></X></UserData></Event>'
$f.Event.EventData.GetType().FullName
$f.Event.UserData.X.A
$null -eq $f.Event.Missing
${EVENT}
$d.Event.EventData.Data.Count`)).resolves.toEqual(['System.String', 'System.Xml.XmlElement', 'System.String', '1', 'True', '5']);
  });

  it('.NET members: DocumentElement, ChildNodes, LocalName, InnerText; whitespace between elements is not kept', async () => {
    await expect(out(`${EVENT}
$d.DocumentElement.LocalName
$d.DocumentElement.ChildNodes | ForEach-Object { $_.LocalName + ':' + $_.GetType().Name }
foreach ($s in $d.DocumentElement.ChildNodes) { if ($s.LocalName -eq 'EventData') { foreach ($n in $s.ChildNodes) { if ($n.LocalName -eq 'Data') { '<' + $n.InnerText + '>' } } } }
([xml]"<Event>\`n  <A>1</A>\`n</Event>").DocumentElement.ChildNodes.Count
([xml]'<r xmlns="u"><q/></r>').r.NamespaceURI`)).resolves.toEqual([
      'Event', 'System:XmlElement', 'EventData:XmlElement', '<x>', '<>', '<plain>', '<>', '<>', '1', 'u',
    ]);
  });

  it('entities are decoded; malformed text fails the cast with InvalidCastToXmlDocument; [xml]$null is $null', async () => {
    await expect(out(`([xml]'<a b="&quot;1&quot;">x &amp; &lt;y&gt; &#65;</a>').a.'#text'
([xml]'<a b="&quot;1&quot;">x</a>').a.b
$null -eq [xml]$null
try { [xml]'<a>' } catch { $_.FullyQualifiedErrorId }`)).resolves.toEqual(['x & <y> A', '"1"', 'True', 'InvalidCastToXmlDocument']);
    const r = await run(`[xml]'<a></b>'`);
    expect(r.stderr).toMatch(/Cannot convert value "<a><\/b>" to type "System.Xml.XmlDocument"/);
  });

  it('a character XML 1.0 does not allow fails the cast, raw or as a reference, as .NET does; tab and line ends do not (the interpreter accepted U+0006)', async () => {
    await expect(out(`foreach ($x in @("<a>p$([char]6)q</a>", '<a>r&#x6;s</a>', '<a>&#31;</a>', '<a>&#x1f;</a>', "<a b='$([char]1)'/>")) { try { [xml]$x | Out-Null; 'parsed' } catch { $_.FullyQualifiedErrorId } }
([xml]'<a>t&#9;u&#xA;v&#13;w</a>').a.Length`)).resolves.toEqual(['InvalidCastToXmlDocument', 'InvalidCastToXmlDocument', 'InvalidCastToXmlDocument', 'InvalidCastToXmlDocument', 'InvalidCastToXmlDocument', '7']);
    const r = await run(`[xml]"<a>p$([char]6)q</a>"`);
    expect(r.stderr).toContain("hexadecimal value 0x06, is an invalid character.");
  });
});

describe('Get-WinEvent records: ToXml() in the Event schema', () => {
  it('a classic entry (Write-EventLog) has its message as the one unnamed Data element; the library reads it back', async () => {
    const { interp } = simRunspace('fast');
    const lines = await out(`try { New-EventLog -LogName Application -Source iisctl -ErrorAction Stop } catch { }
Write-EventLog -LogName Application -Source iisctl -EventId 1003 -EntryType Information -Message 'user=a&b <c>;'
$r = @(Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = 'iisctl' } -MaxEvents 1)[0]
$x = [xml]$r.ToXml()
$x.Event.System.Provider.Name
$x.Event.System.EventID
$x.Event.EventData.Data
@($r | ForEach-Object { ${INSERTION_STRINGS.text} }) -join '|'`, interp);
    expect(lines).toEqual(['iisctl', '1003', 'user=a&b <c>;', 'user=a&b <c>;']);
  });

  it('a control character in an event\'s text (raw or as a reference) arrives as U+FFFD: the [xml] cast of the record would fail the whole call', async () => {
    const { interp } = simRunspace('fast');
    const lines = await out(`try { New-EventLog -LogName Application -Source iisctl -ErrorAction Stop } catch { }
Write-EventLog -LogName Application -Source iisctl -EventId 1003 -EntryType Information -Message "pool=a$([char]6)b&#x7;c$([char]9)d"
$r = @(Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = 'iisctl' } -MaxEvents 1)[0]
try { [xml]$r.ToXml() | Out-Null; 'parsed' } catch { $_.FullyQualifiedErrorId }
@($r | ForEach-Object { ${INSERTION_STRINGS.text} }) -join '|'`, interp);
    expect(lines).toEqual(['InvalidCastToXmlDocument', 'pool=a\uFFFDb&#x7;c\td']);
  });

  it('an SCM record gives the same insertion strings from its XML as from its Properties, in order', async () => {
    const { interp } = simRunspace('fast');
    const lines = await out(`$r = @(Get-WinEvent -FilterHashtable @{ LogName = 'System'; Id = 7036 } -MaxEvents 1)[0]
@($r.Properties | ForEach-Object { [string]$_.Value }) -join '|'
@($r | ForEach-Object { ${INSERTION_STRINGS.text} }) -join '|'
([xml]$r.ToXml()).Event.EventData.Data[0].GetType().FullName`, interp);
    expect(lines[0]).not.toBe('');
    expect(lines[1]).toBe(lines[0]);
    expect(lines[2]).toBe('System.Xml.XmlElement');
  });
});
