# Executes generated scripts carrying hostile text in real PowerShell, in one process, with the
# documented cmdlets replaced by recording proxies of the same signatures (lib/sim/pwsh/proxies.ps1) and the
# native programs the builders call (sc.exe, iisreset.exe) by recording functions. Each script runs
# exactly as iisctl sends it: the envelope's one line.
#
# For each builder a baseline runs first with a marker as the user text; every parameter value
# that contains the marker is a location. Each hostile case must then deliver, at every location,
# the baseline's value with the marker replaced by the hostile text (its form): the value arrives
# exactly as typed. The string constants PowerShell's parser reads must be the baseline's, the marker
# replaced. And nothing may run that the baseline does not name: every command lookup is
# watched (PreCommandLookupAction) and canary functions stand in for the commands the corpus tries
# to inject (whoami, calc, Invoke-Expression, Stop-Computer, ...).
#
# Input JSON: { catalog, passthrough: [names run for real], canaries: [names], mutex: name or null,
#               builders: [{ name, markerForm, baseline: line }], cases: [{ b, valueForm, line }] }
# Only the builders that have cases here run (their baseline first); the others are reported with
# inBatch false.
param([Parameter(Mandatory = $true)][string]$InputPath, [Parameter(Mandatory = $true)][string]$OutputPath)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../../lib/sim/pwsh/proxies.ps1')
Add-Type -Path (Join-Path $PSScriptRoot 'Recorder.cs')
trap { [Console]::Error.WriteLine("run-hostile.ps1: $($_.Exception.Message) $($_.ScriptStackTrace)"); exit 1 }

$request = Get-Content -Raw -LiteralPath $InputPath | ConvertFrom-Json -AsHashtable
$catalog = Get-Content -Raw -LiteralPath $request.catalog | ConvertFrom-Json -AsHashtable

$recorder = @'
process {
    [IisctlRecorder]::Record($MyInvocation.MyCommand.Name, $PSBoundParameters)
    # Invoke-Command runs its script block here, as the remote host would, so that the values
    # inside it are executed and recorded too.
    if ($MyInvocation.MyCommand.Name -eq 'Invoke-Command' -and $PSBoundParameters.ContainsKey('ScriptBlock')) { & $PSBoundParameters['ScriptBlock'] }
}
'@
$null = Install-IisctlProxies $catalog $recorder -Skip $request.passthrough -Loose
foreach ($native in 'sc.exe', 'iisreset.exe') {
    Microsoft.PowerShell.Management\Set-Item -LiteralPath "function:global:$native" -Value ([scriptblock]::Create('[IisctlRecorder]::Record($MyInvocation.MyCommand.Name, @{ Arguments = @($args) }); $global:LASTEXITCODE = 0'))
}
foreach ($canary in $request.canaries) {
    Microsoft.PowerShell.Management\Set-Item -LiteralPath "function:global:$canary" -Value ([scriptblock]::Create('$global:IisctlCanary.Add($MyInvocation.MyCommand.Name)'))
}

# Runs one envelope line; returns @{ Values = location -> text; Seen = command names looked up;
# Canary = canary commands run; ParseError }.
$lookup = [System.EventHandler[System.Management.Automation.CommandLookupEventArgs]][IisctlRecorder]::OnLookup
function Invoke-IisctlCase([string]$Line) {
    [IisctlRecorder]::Reset()
    $global:IisctlCanary = [System.Collections.Generic.List[string]]::new()
    $global:IisctlPSSessions = $null
    $global:iisctlHostLock = $null
    $parseError = $null
    try {
        $block = [scriptblock]::Create($Line)
        $ExecutionContext.InvokeCommand.PreCommandLookupAction = $lookup
        try { $null = & $block } catch { }
    } catch {
        $parseError = $_.Exception.Message
    } finally {
        $ExecutionContext.InvokeCommand.PreCommandLookupAction = $null
    }
    @{ Values = [IisctlRecorder]::Values(); Seen = [IisctlRecorder]::Seen; Canary = @($global:IisctlCanary); ParseError = $parseError }
}

# The host-lock builders take the machine's one named mutex (lib/scripts/lock.ts) and a held lock
# is never released here (each case starts with no lock variable). So the process that runs them
# holds the mutex itself, recursively, for its whole run: every case then gets it whatever another
# process on this machine does with it, and one that holds it is named at once instead of showing
# up as thousands of values that never arrived. Only this batch's builders run their baselines.
$inBatch = [System.Collections.Generic.HashSet[int]]::new()
foreach ($case in $request.cases) { $null = $inBatch.Add([int]$case.b) }
if ($null -ne $request.mutex) {
    $harnessMutex = New-Object -TypeName System.Threading.Mutex -ArgumentList $false, $request.mutex
    try { $held = $harnessMutex.WaitOne(120000) } catch { if ($_.Exception.GetBaseException() -is [System.Threading.AbandonedMutexException]) { $held = $true } else { throw } }
    if (-not $held) { throw "another process on this machine has held the mutex $($request.mutex) for two minutes: the lock builders cannot run" }
}

$baselines = @(for ($bi = 0; $bi -lt $request.builders.Count; $bi++) {
    $b = $request.builders[$bi]
    if (-not $inBatch.Contains($bi)) { @{ Report = [ordered]@{ name = $b.name; inBatch = $false } }; continue }
    $run = Invoke-IisctlCase $b.baseline
    $locations = @($run.Values.Keys.Where({ $run.Values[$_].Contains($b.markerForm) }))
    $literals = [IisctlRecorder]::Literals($b.baseline)
    # What may be looked up: the commands the script names (whichever branch runs) and what ran.
    $allowed = [IisctlRecorder]::Commands($b.baseline)
    $allowed.UnionWith($run.Seen)
    @{ Allowed = $allowed; Run = $run; Locations = $locations; Literals = $literals; Report = [ordered]@{ name = $b.name; inBatch = $true; locations = $locations; literalsWithText = @($literals.Where({ $_.Contains($b.markerForm) -or $_.Contains($b.markerLower) })).Count; literalsCompared = 0; executed = 0; compared = 0; mismatchCount = 0; mismatches = [System.Collections.Generic.List[string]]::new(); injections = [System.Collections.Generic.List[string]]::new(); parseErrors = [System.Collections.Generic.List[string]]::new(); baselineParseError = $run.ParseError } }
})

foreach ($case in $request.cases) {
    $base = $baselines[$case.b]
    $report = $base.Report
    $report.executed++
    $run = Invoke-IisctlCase $case.line
    $label = [IisctlRecorder]::Limit($case.valueForm)
    if ($run.ParseError) { $report.parseErrors.Add("$label : $($run.ParseError)"); continue }
    # Canaries that ran, commands looked up that the baseline does not name (Get-X found as X is
    # the same lookup), string constants and parameter values that are not the baseline's with
    # the marker replaced by the text: IisctlRecorder.CompareCase (Recorder.cs).
    $builder = $request.builders[$case.b]
    $counts = [IisctlRecorder]::CompareCase($label, $case.line, [string[]]$run.Canary, $run.Seen, $base.Allowed, $base.Literals, $base.Run.Values, [string[]]$base.Locations, $run.Values, $builder.markerForm, $builder.markerLower, $case.valueForm, $case.lowerForm, $report.injections, $report.mismatches)
    $report.mismatchCount += $counts[0]
    $report.literalsCompared += $counts[1]
    $report.compared += $counts[2]
}

$out = [ordered]@{ powershell = $PSVersionTable.PSVersion.ToString(); builders = @($baselines.ForEach({ $_.Report })) }
[System.IO.File]::WriteAllText($OutputPath, (Microsoft.PowerShell.Utility\ConvertTo-Json -InputObject $out -Depth 6 -Compress))
