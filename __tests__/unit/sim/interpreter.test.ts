import { PsObject } from '../../../lib/sim/values';
import type { CmdletImpl, NativeImpl } from '../../../lib/sim/interp';
import { createInterpreter } from '../../../lib/sim/interp';
import { json, newInterp, out, run } from './interp.helpers';

describe('strings', () => {
  it('doubles every single-quote character inside single quotes and keeps the second one', async () => {
    expect(await json("'a''b' + 'c\u2018\u2019d' + 'e\u201A\u201Bf'")).toBe("a'bc\u2019de\u201Bf");
  });
  it('ends a single-quoted string at a lone typographic single quote, as PowerShell\'s tokenizer does (checked with pwsh)', async () => {
    // A quote.ts that stopped doubling U+2019 would make this script run the text after it.
    expect(await json('$x + $y', "$x = 'a\u2019; $y = 'b'")).toBe('ab');
    expect(await json("'x\u2019''"))
      .toBe("x'");
    expect(await json("'p\u2018\u2018q\u2019\u2019r'")).toBe('p\u2018q\u2019r');
    expect((await run("[Console]::Out.WriteLine('a\u2019b')")).stderr).toContain('ParseException');
  });
  it('expands variables, $() and backtick escapes in double quotes, not in single quotes', async () => {
    expect(await json('"svc=$n sub=$(1 + 2) q=`" dq="" tab=`t" + \'$n\'', '$n = "W3SVC"')).toBe('svc=W3SVC sub=3 q=" dq=" tab=\t$n');
  });
  it('gives an object its intrinsic PSTypeNames, most derived first, and refuses those of values it does not model', async () => {
    expect(await out("$o = [pscustomobject]@{ x = 1 }; [Console]::Out.WriteLine($o.PSTypeNames[0]); [Console]::Out.WriteLine($o.PSTypeNames.Count)")).toEqual(['System.Management.Automation.PSCustomObject', '2']);
    expect((await run("'text'.PSTypeNames")).stderr).toContain('PSTypeNames of a System.String');
  });

  it('treats `e as a plain e in Windows PowerShell 5.1', async () => {
    expect(await json('"`e"')).toBe('e');
  });
  it('reads both kinds of here-strings', async () => {
    expect(await json("$a + '|' + $b", "$v = 'x'\n$a = @\"\nv=$v\n\"@\n$b = @'\nv=$v\n'@")).toBe('v=x|v=$v');
  });
});

describe('numbers and operators', () => {
  it('parses hex, kb/mb suffixes and reals', async () => {
    expect(await json('@(0x10, 1kb, 2mb, 1.5)')).toEqual([16, 1024, 2097152, 1.5]);
  });
  it('formats with -f including hex widths', async () => {
    expect(await json("'{0}-{1:x4}-{2,3}|' -f 'a', 255, 7")).toBe('a-00ff-  7|');
  });
  it('compares case-insensitively by default and case-sensitively with c-variants', async () => {
    expect(await json("@(('A' -eq 'a'), ('A' -ceq 'a'), ('abc' -like 'A*'), ('abc' -clike 'A*'), ('W3SVC' -match '^w3'))")).toEqual([true, false, true, false, true]);
  });
  it('filters collections on the left', async () => {
    expect(await json("@(@(1,2,3,2) -eq 2)")).toEqual([2, 2]);
    expect(await json("@('a','b') -contains 'B'")).toBe(true);
    expect(await json("'x' -in @('X','y')")).toBe(true);
  });
  it('supports -and -or -not ! -join -split -replace -is -as', async () => {
    expect(await json("@((-not $false), (!1), ($true -and 0), ($false -or 'x'), (@(1,2) -join ','), ('a,b' -split ','), ('aXb' -replace 'x','-'), ('s' -is [string]), ('5' -as [int]))")).toEqual([
      true, false, false, true, '1,2', ['a', 'b'], 'a-b', true, 5,
    ]);
  });
  it('builds ranges and arrays with the comma operator', async () => {
    expect(await json('1..4')).toEqual([1, 2, 3, 4]);
    expect(await json('$a.Count', '$a = ,@(1,2)')).toBe(1);
  });
  it('rounds to even on [int] casts and converts [char] to its code', async () => {
    expect(await json('@([int]2.5, [int]3.5, [int][char]"A", [string]12, [bool]"", [long]"42")')).toEqual([2, 4, 65, '12', false, 42]);
  });
  // Every expected value below is what pwsh 7.6.10 prints for the same line.
  it('keeps Int64 arithmetic beyond 2^53 exact, as .NET does, and widens an overflow to Double', async () => {
    const setup = '$a = 621355968000000001';
    expect(await out(`${setup}
$a.GetType().Name
$a - 621355968000000000
$a + 1
-$a
$a % 7
621355968000000010 / 10
($a / 10).GetType().Name
$a -gt 621355968000000000
$a -eq 621355968000000000
"$a"
(9223372036854775807 + 1).GetType().Name
9223372036854775807 + 1
0.1 + 0.2
1e16
3002399751580331
1.5e-5`)).toEqual(['Int64', '1', '621355968000000002', '-621355968000000001', '6', '62135596800000001', 'Double', 'True', 'False', '621355968000000001', 'Double', '9.22337203685478E+18', '0.3', '1E+16', '3002399751580331', '1.5E-05']);
    expect(await json('@{ x = $a }', setup)).toEqual({ x: 621355968000000001 });
    expect(await out(`${setup}\n@{ x = $a } | ConvertTo-Json -Compress`)).toEqual(['{"x":621355968000000001}']);
    const r = await run(`${setup}\ntry { [int]$a } catch { [Console]::Out.WriteLine($_.Exception.Message) }`);
    expect(r.stdout).toBe('Cannot convert value "621355968000000001" to type "System.Int32". Error: "Value was either too large or too small for an Int32."\n');
  });
  it('subtracts DateTime.Ticks exactly: a deadline in ticks is reached at its millisecond, not one later', async () => {
    // At this instant (2026-01-01 00:00:00.012 UTC) a double-valued Ticks made the host wait loop
    // (lib/scripts/wait.ts) see 0.0128 ms left at its deadline, round it up and sleep 1 ms past it.
    let now = Date.UTC(2026, 0, 1) + 12;
    const interp = createInterpreter({ computerName: 'WEB01', now: () => now, sleep: async (ms) => void (now += ms) });
    expect(await out('$until = [DateTime]::UtcNow.Ticks + 5000 * 10000\nStart-Sleep -Milliseconds 5000\n[Math]::Ceiling(($until - [DateTime]::UtcNow.Ticks) / 10000)', interp)).toEqual(['0']);
  });
  it('fails a bad cast with the InvalidCastFromStringToInteger record', async () => {
    const r = await run("try { [int]'abc' } catch { [Console]::Out.WriteLine($_.FullyQualifiedErrorId + '|' + $_.Exception.Message) }");
    expect(r.stdout).toBe('InvalidCastFromStringToInteger|Cannot convert value "abc" to type "System.Int32". Error: "Input string was not in a correct format."\n');
  });
});

describe('variables, hashtables, objects', () => {
  it('keeps hashtable keys case-insensitive and [ordered] in order', async () => {
    expect(await json('$h', "$h = [ordered]@{ b = 1; A = 2 }; $h['a'] = 3; $h.B += 10")).toEqual({ b: 11, A: 3 });
    expect(await json('@($h.ContainsKey("K"), $h.Count, @($h.Keys))', '$h = @{}; $h.Add("k", 1)')).toEqual([true, 1, ['k']]);
  });
  it('builds [pscustomobject] with declared property order', async () => {
    expect(await json("[pscustomobject]@{ Z = 1; A = 'x' }")).toEqual({ Z: 1, A: 'x' });
  });
  it('scopes: & runs in a child scope, . dot-sources', async () => {
    expect(await out("$x = 1\n& { $x = 2 }\n[Console]::Out.WriteLine($x)\n. { $x = 3 }\n[Console]::Out.WriteLine($x)")).toEqual(['1', '3']);
  });
  it('binds param() in script blocks by position and by name', async () => {
    expect(await json('@((& $sb 1), (& $sb -b 2 1))', "$sb = { param($a, $b = 'd') \"$a-$b\" }")).toEqual(['1-d', '1-2']);
  });
  it('supports string methods, array Count and member enumeration', async () => {
    expect(await json("@(' A,b '.Trim().ToLower().Split(',')[1], 'abc'.StartsWith('AB'), 'abc'.Replace('b','x'), 'abc'.Contains('c'), @(1,2,3).Count, @([pscustomobject]@{n=1},[pscustomobject]@{n=2}).n)")).toEqual(['b', false, 'axc', true, 3, [1, 2]]);
  });
  it('parses round-trip dates with RoundtripKind and prints them back', async () => {
    expect(await json("@($d.ToString('o'), $d.AddSeconds(1).ToUniversalTime().ToString('o'))", "$d = [datetime]::Parse('2024-07-14T02:13:02.1234567Z', [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::RoundtripKind)")).toEqual([
      '2024-07-14T02:13:02.1234567Z', '2024-07-14T02:13:03.1234567Z',
    ]);
  });
});

describe('control flow', () => {
  it('runs if/elseif/else, foreach, for, while, do, switch, break and continue', async () => {
    const script = [
      "$r = @()",
      "foreach ($i in 1..5) { if ($i -eq 2) { continue } elseif ($i -eq 4) { break } else { $r += $i } }",
      "for ($j = 0; $j -lt 2; $j++) { $r += \"f$j\" }",
      "$k = 0; while ($k -lt 2) { $k++ }; $r += $k",
      "do { $k-- } until ($k -le 0); $r += $k",
      "switch ('b') {\n  'a' { $r += 'A' }\n  'b' { $r += 'B' }\n  default { $r += 'D' }\n}",
      '$r',
    ].join('\n');
    expect(await json(`& {\n${script}\n}`)).toEqual([1, 3, 'f0', 'f1', 2, 0, 'B']);
  });
  it('returns from a script block and keeps earlier output', async () => {
    expect(await json('@(& { 1; return 2; 3 })')).toEqual([1, 2]);
  });
  it('catches throw with $_ as an ErrorRecord (OperationStopped, FQID = message)', async () => {
    expect(await json('$r', "try { throw 'boom' } catch { $r = @($_.Exception.Message, $_.FullyQualifiedErrorId, [string]$_.CategoryInfo.Category, $_.Exception.GetType().FullName, $_.Exception.HResult, $_.TargetObject) }")).toEqual([
      'boom', 'boom', 'OperationStopped', 'System.Management.Automation.RuntimeException', -2146233087, 'boom',
    ]);
  });
  it('rethrows the caught error unchanged with a bare throw inside catch, ScriptHalted elsewhere (as pwsh does)', async () => {
    expect(await json('$r', "try { try { Get-Nothing } catch { throw } } catch { $r = @($_.FullyQualifiedErrorId, $_.Exception.GetType().FullName) }")).toEqual([
      'CommandNotFoundException', 'System.Management.Automation.CommandNotFoundException',
    ]);
    expect(await json('$r', "try { try { throw 'boom' } catch { if ($true) { & { throw } } } } catch { $r = $_.FullyQualifiedErrorId }")).toBe('boom');
    expect(await json('$r', "function f { throw }\ntry { try { throw 'boom' } catch { f } } catch { $r = $_.FullyQualifiedErrorId }")).toBe('ScriptHalted');
    expect(await json('$r', "try { throw } catch { $r = $_.FullyQualifiedErrorId }")).toBe('ScriptHalted');
  });
  it('ends the script after a rethrow even when the error was only statement-terminating', async () => {
    const r = await run("try { Get-Nothing } catch { throw }\n[Console]::Out.WriteLine('after')");
    expect(r.stdout).not.toContain('after');
    expect(r.stderr).toContain('CommandNotFoundException');
  });
  it('runs finally and supports typed catch', async () => {
    expect(await out("try { Get-Nothing } catch [System.Management.Automation.CommandNotFoundException] { [Console]::Out.WriteLine('typed') } finally { [Console]::Out.WriteLine('fin') }")).toEqual(['typed', 'fin']);
  });
  it('reports exit N to the caller and stops running', async () => {
    const it1 = newInterp();
    const r = await run("[Console]::Out.WriteLine('before')\nexit 3\n[Console]::Out.WriteLine('after')", it1);
    expect(r).toEqual({ stdout: 'before\n', stderr: '', exitCode: 3 });
    expect(it1.exitCode).toBe(3);
  });
});

describe('pipelines and generic cmdlets', () => {
  it('enumerates arrays into the pipeline and filters with both Where-Object forms', async () => {
    expect(await json("@(1..6 | Where-Object { $_ % 2 -eq 0 } | ForEach-Object { $_ * 10 })")).toEqual([20, 40, 60]);
    expect(await json("@([pscustomobject]@{Name='a'}, [pscustomobject]@{Name='b'} | Where-Object Name -eq 'B' | ForEach-Object { $_.Name })")).toEqual(['b']);
  });
  it('supports ForEach-Object -Begin/-Process/-End', async () => {
    expect(await json('@(1,2 | ForEach-Object -Begin { "b" } -Process { $_ } -End { "e" })')).toEqual(['b', 1, 2, 'e']);
  });
  it('selects calculated properties, -First, -ExpandProperty and -Unique', async () => {
    expect(await json("@([pscustomobject]@{a=1;b=2} | Select-Object -Property @{Name='X'; Expression={ $_.a + 1 }}, @{n='Y';e={'y'}}, 'b')")).toEqual([{ X: 2, Y: 'y', b: 2 }]);
    expect(await json("@(3,1,2,3 | Sort-Object -Unique | Select-Object -First 2)")).toEqual([1, 2]);
    expect(await json("@([pscustomobject]@{n='a'},[pscustomobject]@{n='b'} | Select-Object -ExpandProperty n)")).toEqual(['a', 'b']);
  });
  it('measures and groups', async () => {
    expect(await json('(1,2,3 | Measure-Object -Sum).Sum')).toBe(6);
    expect(await json("@('a','b','a' | Group-Object | ForEach-Object { \"$($_.Name)=$($_.Count)\" })")).toEqual(['a=2', 'b=1']);
  });
  it('writes warnings to stdout as host output unless $WarningPreference silences them', async () => {
    expect((await run("Write-Warning 'careful'")).stdout).toBe('WARNING: careful\n');
    expect((await run("$WarningPreference = 'SilentlyContinue'; Write-Warning 'careful'")).stdout).toBe('');
  });
  it('Out-Null and redirections discard streams; 2>&1 merges errors into output', async () => {
    const r = await run("Write-Output 'x' | Out-Null\nWrite-Error 'e1' 2>$null\nWrite-Warning 'w' *>$null\n$m = Write-Error 'e2' 2>&1\n[Console]::Out.WriteLine($m.Exception.Message)");
    expect(r).toEqual({ stdout: 'e2\n', stderr: '' });
  });
  it('collects non-terminating errors into $Error and honours -ErrorAction', async () => {
    const r = await run("Write-Error 'quiet' -ErrorAction SilentlyContinue\nWrite-Error 'ignored' -ErrorAction Ignore\n[Console]::Out.WriteLine($Error.Count.ToString() + ' ' + $Error[0].Exception.Message)\ntry { Write-Error 'stop' -ErrorAction Stop } catch { [Console]::Out.WriteLine('caught ' + $_.FullyQualifiedErrorId) }");
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1 quiet\ncaught Microsoft.PowerShell.Commands.WriteErrorException\n');
  });
  it('prints uncaught non-terminating errors in 5.1 NormalView on stderr and continues', async () => {
    const r = await run("Write-Error 'bad thing'\n[Console]::Out.WriteLine('next')");
    expect(r.stdout).toBe('next\n');
    expect(r.stderr).toBe(
      "bad thing\nAt line:1 char:1\n+ Write-Error 'bad thing'\n+ ~~~~~~~~~~~~~~~~~~~~~~~\n    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException\n    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException\n \n",
    );
  });
  it('really waits in Start-Sleep (through the injected sleep)', async () => {
    const waits: number[] = [];
    const { createInterpreter } = await import('../../../lib/sim/interp');
    const it1 = createInterpreter({ sleep: async (ms) => void waits.push(ms) });
    await it1.runLine('Start-Sleep -Milliseconds 250; Start-Sleep 2');
    expect(waits).toEqual([250, 2000]);
  });
});

describe('command resolution', () => {
  it('reports an unknown command like 5.1 (CommandNotFoundException) on stderr', async () => {
    const { newInterp: mk } = await import('./interp.helpers');
    const r = await mk().runLine('Get-Foo');
    expect(r.stderr).toBe(
      "Get-Foo : The term 'Get-Foo' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.\nAt line:1 char:1\n+ Get-Foo\n+ ~~~~~~~\n    + CategoryInfo          : ObjectNotFound: (Get-Foo:String) [], CommandNotFoundException\n    + FullyQualifiedErrorId : CommandNotFoundException\n \n",
    );
  });
  it('fails loudly for a catalog cmdlet without an implementation', async () => {
    const r = await run("try { Get-Process } catch { [Console]::Out.WriteLine($_.FullyQualifiedErrorId) }");
    expect(r.stdout).toBe('NotImplementedBySimulatedHost,Microsoft.PowerShell.Commands.GetProcessCommand\n');
  });
  it('passes bound parameters and pipeline input to registered cmdlets', async () => {
    const seen: unknown[] = [];
    const getService: CmdletImpl = (call) => {
      seen.push(call.parameterSetName, call.params.get('Name'));
      const o = new PsObject(['System.ServiceProcess.ServiceController', 'System.Object']);
      o.addNote('Name', 'W3SVC');
      return [o];
    };
    const stopService: CmdletImpl = (call) => {
      seen.push(call.parameterSetName, call.input.length, call.params.get('Force'), call.params.get('NoWait'));
      return [];
    };
    const it1 = newInterp({ cmdlets: new Map([['Get-Service', getService], ['spsv', stopService]]) });
    await out("Get-Service w3svc | Stop-Service -Force -NoWait:$false", it1);
    expect(seen).toEqual(['Default', ['w3svc'], 'InputObject', 1, true, false]);
  });
  it('invokes native commands through the registry and sets $LASTEXITCODE', async () => {
    const calls: string[][] = [];
    const iisreset: NativeImpl = ({ args }) => {
      calls.push(args);
      return { stdout: 'Status for IIS Admin Service ( IISADMIN ) : Running\r\n', stderr: args.includes('/bad') ? 'oops\n' : '', exitCode: args.includes('/bad') ? 1 : 0 };
    };
    const it1 = newInterp({ natives: new Map([['iisreset.exe', iisreset]]) });
    expect(await out("$o = & iisreset.exe /status\n[Console]::Out.WriteLine($o + '|' + $LASTEXITCODE)", it1)).toEqual(['Status for IIS Admin Service ( IISADMIN ) : Running|0']);
    const r = await run('$o = iisreset /bad 2>&1; [Console]::Out.WriteLine("$LASTEXITCODE " + $o.Count)', it1);
    expect(r).toEqual({ stdout: '1 2\n', stderr: '' });
    expect(calls).toEqual([['/status'], ['/bad']]);
  });
  it("turns redirected native stderr into a terminating error under $ErrorActionPreference='Stop', as 5.1 does", async () => {
    const iisreset: NativeImpl = () => ({ stdout: 'done\r\n', stderr: 'oops\n', exitCode: 1 });
    const it1 = newInterp({ natives: new Map([['iisreset.exe', iisreset]]) });
    const stopped = await run("$ErrorActionPreference = 'Stop'\ntry { $o = & iisreset.exe /x 2>&1; [Console]::Out.WriteLine('not reached') } catch { [Console]::Out.WriteLine($_.FullyQualifiedErrorId + ': ' + $_.Exception.Message) }", it1);
    expect(stopped.stdout).toBe('NativeCommandError: oops\n');
    const discarded = await run("$ErrorActionPreference = 'Stop'\ntry { & iisreset.exe /x 2>$null } catch { [Console]::Out.WriteLine('stopped') }", it1);
    expect(discarded.stdout).toBe('stopped\n');
    // The idiom iisctl uses: the preference lowered for the native call only, judged by its exit code.
    const captured = await run("$ErrorActionPreference = 'Stop'\n$o = @(& { $ErrorActionPreference = 'Continue'; & iisreset.exe /x 2>&1 } | ForEach-Object { [string]$_ })\n[Console]::Out.WriteLine(($o -join ',') + ' ' + $LASTEXITCODE + ' ' + $ErrorActionPreference)", it1);
    expect(captured).toEqual({ stdout: 'done,oops 1 Stop\n', stderr: '' });
  });
});

describe("'--%' as data", () => {
  it("passes a parenthesized '--%' as a plain string and keeps the parameters after it", async () => {
    // quote.ts writes a lone '--%' so; real pwsh 7.6 binds it the same way (__tests__/real).
    expect(await out("$r = Write-Output ('--%') -NoEnumerate\n[Console]::Out.WriteLine($r)")).toEqual(['--%']);
  });
});

describe('unsupported syntax fails loudly', () => {
  it.each([
    ['class C { }', 'class statement'],
    ['$env:FOO = 1', 'environment variables'],
    ['Get-Date 2> C:\\out.txt', 'redirection to a file'],
    ['[System.IO.File]::ReadAllText("x")', 'System.IO.File'],
    // Real pwsh 7.6 drops -ErrorAction here and binds 'Stop' by position (PowerShell/PowerShell issue 11608).
    ["Write-Output '--%' -ErrorAction Stop", "quoted '--%'"],
    ['Write-Output "--%"', "quoted '--%'"],
  ])('%s', async (script, what) => {
    const r = await run(`try { ${script} } catch { [Console]::Out.WriteLine($_.FullyQualifiedErrorId + ': ' + $_.Exception.Message) }`);
    expect(r.stdout).toContain('NotSupportedBySimulatedHost: ');
    expect(r.stdout).toContain(what);
    expect(r.stdout).toContain('not supported by the simulated host');
  });
});

describe('host-level lines', () => {
  it('accepts the once-per-session setup lines and the delimiter writes', async () => {
    const it1 = newInterp();
    expect(await it1.runLine('[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false')).toEqual({ stdout: '', stderr: '', exitCode: undefined });
    expect(await it1.runLine('[Console]::Error.WriteLine("AbC123")')).toEqual({ stdout: '', stderr: 'AbC123\n', exitCode: undefined });
    expect((await it1.runLine('Clear-History; $Error.Clear(); $Error.Count')).stdout).toBe('0\n');
  });
  it('pipes $null once, Write-Host/Write-Output take remaining arguments', async () => {
    expect((await run('$null | ForEach-Object { "got [$_]" }')).stdout).toBe('got []\n');
    expect((await run('Write-Host a b; Write-Output c d')).stdout).toBe('a b\nc\nd\n');
  });
  it('defines and calls functions with param() and splatting', async () => {
    expect((await run('function Get-X {\nparam($a)\n"x$a"\n}\nGet-X -a 1\n$h = @{ a = 2 }\nGet-X @h')).stdout).toBe('x1\nx2\n');
  });
});
