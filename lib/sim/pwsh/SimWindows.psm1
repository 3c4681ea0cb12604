# SimWindows: what only Windows has, for scripts running on real PowerShell 7 (the simulator's pwsh
# engine, lib/sim/pwsh/engine.ts). Each shadowed cmdlet is an advanced function with the documented
# parameter sets of the Windows PowerShell 5.1 cmdlet (proxies.ps1 New-IisctlProxy, from the
# catalog file in $env:IISCTL_SIM_CATALOG), so parsing, binding, validation, the pipeline, -ErrorAction,
# $?, $Error and ConvertTo-Json are PowerShell's own. Its body sends the bound parameters to the
# simulator (bridge.ts) over the local socket in $env:IISCTL_SIM_BRIDGE and writes back what the
# simulated cmdlet produced: objects with their PSTypeNames, non-terminating errors through
# $PSCmdlet.WriteError, a terminating one through $PSCmdlet.ThrowTerminatingError, warnings
# through $PSCmdlet.WriteWarning.
#
# Functions take precedence over cmdlets of the same name (about_Command_Precedence,
# https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_command_precedence),
# so an imported function Get-Process shadows PowerShell's own; module-qualified names still reach
# the real cmdlet, which is why the code below writes Microsoft.PowerShell.Utility\ConvertTo-Json.

# $SimRemoteRun: set only when this module is imported into a remote runspace (the remoting section
# below): the simulator's id of the Invoke-Command target it runs as.
param([long]$SimRemoteRun = 0)

. (Join-Path $PSScriptRoot 'proxies.ps1')

# $PID is the simulated powershell.exe's id (SimHost.processId, in $env:IISCTL_SIM_PID): the process
# that owns the named mutexes its scripts take and that the host lock records as its holder. PowerShell
# makes $PID a constant (Constant, AllScope), so its one PSVariable is given that value by reflection.
function Set-IisctlSimPid([int]$Id) {
    [System.Management.Automation.PSVariable].GetField('_value', [System.Reflection.BindingFlags]'NonPublic, Instance').SetValue((Microsoft.PowerShell.Utility\Get-Variable -Name PID -Scope Global), $Id)
}
if ($env:IISCTL_SIM_PID) {
    Set-IisctlSimPid ([int]$env:IISCTL_SIM_PID)
    Microsoft.PowerShell.Management\Remove-Item -Path Env:IISCTL_SIM_PID
}
$script:Utf8 = [System.Text.UTF8Encoding]::new($false)
# Replies are read by Wire.cs (the simulator's objects: PSTypeNames, properties, methods; ids and
# texts kept in weak tables, so pwsh forgets the objects freely). Compiling it is most of the
# module's start-up, so it is compiled once into $env:IISCTL_SIM_CACHE (a directory named by the
# hash of these files and of the pwsh used, engine.ts) and later starts load the assembly.
$script:Cache = $env:IISCTL_SIM_CACHE
function Get-IisctlSimCached([string]$Name, [scriptblock]$Make) {
    # Written under a unique name, then renamed: pwsh processes starting at once never read half a
    # file. Not $PID: it is the simulated process id, the same in two Node processes' first hosts.
    $file = Join-Path $script:Cache $Name
    if (-not [System.IO.File]::Exists($file)) {
        $part = "$file.$([guid]::NewGuid().ToString('N')).part"
        & $Make $part
        try { [System.IO.File]::Move($part, $file, $true) } catch { [System.IO.File]::Delete($part) }
    }
    $file
}
if ('IisctlSim.Wire' -as [type]) {
    # Already loaded in this process: this import is a remote runspace's (the remoting section).
} elseif ($script:Cache) {
    Microsoft.PowerShell.Utility\Add-Type -Path (Get-IisctlSimCached 'Wire.dll' { param($To) Microsoft.PowerShell.Utility\Add-Type -Path (Join-Path $PSScriptRoot 'Wire.cs') -OutputAssembly $To -OutputType Library })
} else {
    Microsoft.PowerShell.Utility\Add-Type -Path (Join-Path $PSScriptRoot 'Wire.cs')
}
# This runspace's connection to the simulator (requests and replies: Wire.cs Send).
[IisctlSim.Wire]::Connect($env:IISCTL_SIM_BRIDGE)
$script:Ids = [IisctlSim.Wire]::Ids
$script:Methods = @{}
[IisctlSim.Wire]::ToText = { $text = $null; [void][IisctlSim.Wire]::Texts.TryGetValue($this, [ref]$text); [string]$text }
# A method of a simulated object calls the simulator; the block is bound to this module, where Invoke-IisctlSimMethod is.
[IisctlSim.Wire]::MethodFor = [Func[string, scriptblock]] {
    param([string]$Name)
    if (-not $script:Methods.ContainsKey($Name)) { $script:Methods[$Name] = [scriptblock]::Create("Invoke-IisctlSimMethod `$this '$Name' `$args") }
    $ExecutionContext.SessionState.Module.NewBoundScriptBlock($script:Methods[$Name])
}

function Send-IisctlSim([System.Collections.IDictionary]$Request) { [IisctlSim.Wire]::Send($Request) }

# ---- values: PowerShell -> simulator: Wire.cs ToWire -------------------------------------------

# The comma keeps a list one value (a function would write its items one by one).
function ConvertTo-IisctlWire($Value) { , [IisctlSim.Wire]::ToWire($Value) }

# ---- values: simulator -> PowerShell: Wire.cs, when the reply is read ------------------------------

function Invoke-IisctlSimMethod($Object, [string]$Name, [object[]]$Arguments) {
    $id = $null
    if (-not $script:Ids.TryGetValue($Object, [ref]$id)) { throw [System.InvalidOperationException]::new('iisctl simulator: not a simulated object.') }
    $reply = Send-IisctlSim @{ op = 'method'; id = $id; name = $Name; args = @(foreach ($a in $Arguments) { ConvertTo-IisctlWire $a }) }
    if ($reply.self) { [IisctlSim.Wire]::Refresh($Object, $reply.self) }
    # A .NET method that throws: PowerShell wraps it in MethodInvocationException ("Exception calling ...").
    if ($reply.term) { throw (New-IisctlSimException $reply.term.ex) }
    foreach ($e in $reply.ev) { if ($e.ContainsKey('o')) { $e.o } }
}

# ---- errors ------------------------------------------------------------------------------------

function New-IisctlSimException($X) {
    $inner = if ($X.inner) { New-IisctlSimException $X.inner } else { $null }
    $t = $X.type -as [type]
    $ex = $null
    if ($null -ne $t -and [Exception].IsAssignableFrom($t)) {
        try {
            if ($t -eq [System.ComponentModel.Win32Exception] -and $null -ne $X.native) { $ex = [System.ComponentModel.Win32Exception]::new([int]$X.native, $X.message) }
            elseif ($t -eq [System.Runtime.InteropServices.COMException] -and $null -ne $X.hresult) { $ex = [System.Runtime.InteropServices.COMException]::new($X.message, [int]$X.hresult) }
            elseif ($null -ne $inner) { $ex = $t::new($X.message, $inner) }
            else { $ex = $t::new($X.message) }
        } catch { $ex = $null }
    }
    # A type this pwsh does not have (ServiceCommandException exists only on Windows): System.Exception,
    # with the simulator's type name kept beside it (lib/sim/README.md, the pwsh engine's known differences).
    if ($null -eq $ex) {
        $ex = if ($null -ne $inner) { [System.Exception]::new($X.message, $inner) } else { [System.Exception]::new($X.message) }
        $ex.Data['IisctlSimulatedType'] = $X.type
    }
    if ($null -ne $X.hresult -and $ex.HResult -ne [int]$X.hresult) { $ex.HResult = [int]$X.hresult }
    $ex
}

function New-IisctlSimErrorRecord($E) {
    $category = [System.Management.Automation.ErrorCategory]::NotSpecified
    [void][Enum]::TryParse([System.Management.Automation.ErrorCategory], [string]$E.cat, [ref]$category)
    [IisctlSim.Wire]::NewErrorRecord((New-IisctlSimException $E.ex), [string]$E.id, $category, $E.target)
}

# ---- the shadowing functions -------------------------------------------------------------------

function Write-IisctlSimReply($Cmdlet, $Reply) {
    foreach ($e in $Reply.ev) {
        if ($e.ContainsKey('o')) { $Cmdlet.WriteObject($e.o, $false) }
        elseif ($e.ContainsKey('e')) { $Cmdlet.WriteError((New-IisctlSimErrorRecord $e.e)) }
        elseif ($e.ContainsKey('w')) { $Cmdlet.WriteWarning([string]$e.w) }
        elseif ($e.ContainsKey('h')) { $Cmdlet.Host.UI.WriteLine([string]$e.h) }
    }
    if ($Reply.term) { $Cmdlet.ThrowTerminatingError((New-IisctlSimErrorRecord $Reply.term)) }
}

# A shadowed cmdlet's call: Wire.cs Invoke copies the caller's preference variables into this
# function's scope (so $Cmdlet's errors follow them), sends the bound parameters, returns the reply.
function Invoke-IisctlSim($Cmdlet, [string]$Name, [System.Collections.IDictionary]$Bound) {
    Write-IisctlSimReply $Cmdlet ([IisctlSim.Wire]::Invoke($Cmdlet, $Name, $Bound, $ExecutionContext.SessionState))
}

# Paths on the simulated drives: the registry (HKLM:, HKCU:, Registry::) and IIS: (WebAdministration).
function Test-IisctlSimPath([System.Collections.IDictionary]$Bound) {
    $paths = @(foreach ($k in 'Path', 'LiteralPath', 'PSPath') { if ($Bound.ContainsKey($k)) { $Bound[$k] } })
    if ($paths.Count -eq 0) { return $false }
    foreach ($p in $paths) { if ([string]$p -notmatch '^(HKLM:|HKCU:|IIS:|(Microsoft\.PowerShell\.Core\\)?Registry::)') { return $false } }
    $true
}

# Get-Command of iisreset[.exe] only: the simulated computer has it where IIS is installed (the
# module's own iisreset.exe function is no answer to that).
function Test-IisctlSimNativeName([System.Collections.IDictionary]$Bound) {
    if (-not $Bound.ContainsKey('Name')) { return $false }
    foreach ($n in @($Bound['Name'])) { if (@('iisreset', 'iisreset.exe') -notcontains [string]$n) { return $false } }
    $true
}

function Invoke-IisctlSimNative([string]$Name, [object[]]$Arguments) {
    $reply = Send-IisctlSim @{ op = 'native'; name = $Name; args = @(foreach ($a in $Arguments) { [string]$a }) }
    if ($reply.term) { throw (New-IisctlSimException $reply.term.ex) }
    # A native program's output reaches PowerShell as lines of text, an empty line as an empty string
    # (sc.exe's "[SC] OpenService FAILED 1060:", "", "The specified service ..."); only the text after
    # the last line end is no line.
    if ($reply.stdout) { [IisctlSim.Wire]::Lines($reply.stdout) }
    if ($reply.stderr) { [Console]::Error.Write($reply.stderr) }
    $global:LASTEXITCODE = [int]$reply.exit
}

# ---- remoting: Invoke-Command -ComputerName / -Session to the simulated computers -----------------
#
# What is Windows' (reachability, a session's state, credentials, the command log) the simulator
# decides (lib/sim/cmdlets/remoting.ts, the same code as the interpreter's Invoke-Command: its step
# returns the target, or writes the error). The block runs here, in a runspace of this process with
# this module imported there AS that computer (its bridge hello names the target): it sees none of
# the caller's variables, as over WinRM, and a PSSession's runspace is kept for the session, so its
# variables persist between calls on it (Invoke-Command help, the "$p" of a persistent session:
# https://learn.microsoft.com/powershell/module/microsoft.powershell.core/invoke-command). What
# crosses back, and the arguments going there, pass PowerShell's own serializer (Wire.cs Remote).

$script:ModuleFile = $PSCommandPath
# Session InstanceId -> its runspace.
$script:SimRunspaces = @{}
$script:RemotingBodies = @{
    # Without -ComputerName or -Session, Invoke-Command runs locally: PowerShell's own.
    'Invoke-Command'   = "process { if (`$PSBoundParameters.ContainsKey('ComputerName') -or `$PSBoundParameters.ContainsKey('Session')) { Invoke-IisctlSimRemote `$PSCmdlet `$PSBoundParameters } else { Microsoft.PowerShell.Core\Invoke-Command @PSBoundParameters } }"
    'Remove-PSSession' = "process { Invoke-IisctlSim `$PSCmdlet 'Remove-PSSession' `$PSBoundParameters; Close-IisctlSimRunspaces }"
}

function Invoke-IisctlSimRemote($Cmdlet, [System.Collections.IDictionary]$Bound) {
    [IisctlSim.Wire]::CopyPreferences($Cmdlet, $Bound, $ExecutionContext.SessionState)
    $text = [string]$Bound['ScriptBlock']
    $arguments = @(if ($Bound.ContainsKey('ArgumentList')) { foreach ($a in $Bound['ArgumentList']) { [IisctlSim.Remote]::Cross($a) } })
    # The other parameters go to the step too, which refuses those the simulator does not model.
    $rest = @{}
    foreach ($k in $Bound.Keys) { if (-not [IisctlSim.Wire]::Common.Contains($k) -and @('ArgumentList', 'ComputerName', 'Session') -notcontains $k) { $rest[$k] = ConvertTo-IisctlWire $Bound[$k] } }
    $rest['ScriptBlock'] = $text
    $targets = if ($Bound.ContainsKey('Session')) { foreach ($s in $Bound['Session']) { @{ Session = ConvertTo-IisctlWire $s } } } else { foreach ($n in $Bound['ComputerName']) { @{ ComputerName = [string]$n } } }
    foreach ($t in $targets) {
        foreach ($k in $rest.Keys) { $t[$k] = $rest[$k] }
        $reply = Send-IisctlSim @{ op = 'cmd'; name = 'Invoke-Command'; set = $Cmdlet.ParameterSetName; params = $t; whatIf = $false }
        $run = @(foreach ($e in $reply.ev) { if ($e.ContainsKey('o')) { $e.o } })
        $reply['ev'] = @(foreach ($e in $reply.ev) { if (-not $e.ContainsKey('o')) { $e } })
        Write-IisctlSimReply $Cmdlet $reply
        if ($run.Count) { Invoke-IisctlSimRemoteRun $Cmdlet $run[0] $text $arguments }
    }
}

function Invoke-IisctlSimRemoteRun($Cmdlet, $Run, [string]$Text, [object[]]$Arguments) {
    $rs = if ($Run.Key) { $script:SimRunspaces[[string]$Run.Key] }
    if ($null -eq $rs) {
        $rs = New-IisctlSimRunspace $Run
        if ($Run.Key) { $script:SimRunspaces[[string]$Run.Key] = $rs }
    }
    $ps = [powershell]::Create()
    $ps.Runspace = $rs
    try {
        [void]$ps.AddScript($Text)
        foreach ($a in $Arguments) { [void]$ps.AddArgument($a) }
        $result = [IisctlSim.Remote]::Run($ps)
        $computer = [string]$Run.ComputerName
        $runspaceId = [guid]$Run.RunspaceId
        # Write-Host there is the caller's host text (a host-less runspace records it with the tag PSHOST).
        foreach ($i in $ps.Streams.Information) { if ($i.Tags -contains 'PSHOST') { $Cmdlet.Host.UI.WriteLine([string]$i.MessageData) } }
        foreach ($w in $ps.Streams.Warning) { $Cmdlet.WriteWarning($w.Message) }
        $show = -not ($Cmdlet.MyInvocation.BoundParameters.ContainsKey('HideComputerName') -and $Cmdlet.MyInvocation.BoundParameters['HideComputerName'])
        foreach ($o in $result.Output) { $Cmdlet.WriteObject([IisctlSim.Remote]::Arrive($o, $computer, $runspaceId, $show)) }
        $null = Invoke-IisctlSimMethod $Run 'Close' @()
        # Errors there, terminating ones too, are non-terminating errors here: Invoke-Command's own
        # -ErrorAction decides (lib/sim/cmdlets/remoting.ts cites the sources).
        foreach ($e in $ps.Streams.Error) { $Cmdlet.WriteError([IisctlSim.Remote]::ArriveError($e, $computer, $runspaceId)) }
        if ($result.Terminating) { $Cmdlet.WriteError([IisctlSim.Remote]::ArriveError($result.Terminating, $computer, $runspaceId)) }
    } finally {
        $ps.Dispose()
        if (-not $Run.Key) { Remove-IisctlSimRunspace $rs }
    }
}

# A runspace ends with its bridge connection (its module's socket).
function Remove-IisctlSimRunspace($Runspace) {
    $ps = [powershell]::Create()
    $ps.Runspace = $Runspace
    try { [void]$ps.AddScript('& (Microsoft.PowerShell.Core\Get-Module -Name SimWindows) { [IisctlSim.Wire]::Disconnect() }').Invoke() } finally { $ps.Dispose() }
    $Runspace.Dispose()
}

# A runspace of this process with this module imported as the target's computer.
function New-IisctlSimRunspace($Run) {
    $id = $null
    [void]$script:Ids.TryGetValue($Run, [ref]$id)
    $rs = [runspacefactory]::CreateRunspace()
    $rs.Open()
    $ps = [powershell]::Create()
    $ps.Runspace = $rs
    try {
        [void]$ps.AddCommand('Microsoft.PowerShell.Core\Import-Module').AddParameter('Name', $script:ModuleFile).AddParameter('ArgumentList', @([long]$id)).AddParameter('DisableNameChecking').AddParameter('ErrorAction', 'Stop')
        [void]$ps.Invoke()
    } finally {
        $ps.Dispose()
    }
    $rs
}

# The runspaces of the sessions Remove-PSSession closed (the simulator's registry lists those left).
function Close-IisctlSimRunspaces {
    $reply = Send-IisctlSim @{ op = 'cmd'; name = 'Get-PSSession'; set = 'Name'; params = @{}; whatIf = $false }
    $open = @(foreach ($e in $reply.ev) { if ($e.ContainsKey('o')) { [string]$e.o.InstanceId } })
    foreach ($key in @($script:SimRunspaces.Keys)) {
        if ($open -notcontains $key) {
            Remove-IisctlSimRunspace $script:SimRunspaces[$key]
            $script:SimRunspaces.Remove($key)
        }
    }
}

# A live property (bridge.ts LIVE_PROPERTIES: a PSSession's State) is read from the simulator when looked at.
function Get-IisctlSimProperty($Object, [string]$Name) {
    $id = $null
    if (-not $script:Ids.TryGetValue($Object, [ref]$id)) { throw [System.InvalidOperationException]::new('iisctl simulator: not a simulated object.') }
    $reply = Send-IisctlSim @{ op = 'prop'; id = $id; name = $Name }
    if ($reply.term) { throw (New-IisctlSimException $reply.term.ex) }
    $reply.ev[0].o
}
[IisctlSim.Wire]::PropertyFor = [Func[string, scriptblock]] {
    param([string]$Name)
    $ExecutionContext.SessionState.Module.NewBoundScriptBlock([scriptblock]::Create("Get-IisctlSimProperty `$this '$Name'"))
}
# A remote runspace's import: its bridge connection acts on the target's computer from now on.
if ($SimRemoteRun) {
    Set-IisctlSimPid ([int](Send-IisctlSim @{ op = 'hello'; id = $SimRemoteRun }).ev[0].o)
}

# ---- the clock: Get-Date and Start-Sleep on the simulated machine's clock ------------------------
# The library reads the host's time only through Get-Date (lib/scripts/hostClock.ts) and waits on the
# host with Start-Sleep (lib/scripts/wait.ts): both follow the simulated machine's clock here, so on a
# virtual clock a wait's slice ends on the clock its sleeps advance (a change is seen within one read
# interval, and no second of real time passes), and the lock's and the toggle's stamps are the
# machine's time. Get-Date without -Date gives PowerShell's own Get-Date the machine's now as -Date
# (-Format, -DisplayHint and the rest stay PowerShell's); Start-Sleep sleeps on the machine's clock
# through the bridge (a virtual clock moves, a real one is slept on). [DateTime]::UtcNow stays .NET's.
function Get-IisctlSimNow { (Send-IisctlSim @{ op = 'now' }).now }
# Bodies of generated functions other than the plain call to the simulator (by cmdlet name).
$script:ClockBodies = @{
    'Get-Date'    = "process { if (-not `$PSBoundParameters.ContainsKey('Date')) { `$PSBoundParameters['Date'] = Get-IisctlSimNow }; Microsoft.PowerShell.Utility\Get-Date @PSBoundParameters }"
    'Start-Sleep' = "process { Invoke-IisctlSim `$PSCmdlet 'Start-Sleep' `$PSBoundParameters }"
}

$catalog = Microsoft.PowerShell.Utility\ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($env:IISCTL_SIM_CATALOG)) -AsHashtable -Depth 64
# The common parameters are PowerShell's (-ErrorAction, -WarningAction...): only -WhatIf reaches the
# simulator (Wire.cs Invoke leaves the others out; the remoting section too).
$script:Common = @($catalog.commonParameters) + @($catalog.riskMitigationParameters)
[IisctlSim.Wire]::Common = [System.Collections.Generic.HashSet[string]]::new([string[]]$script:Common, [System.StringComparer]::OrdinalIgnoreCase)
# Objects only the simulated Windows makes (PSCustomObjects with the real type's PSTypeNames): a
# parameter of such a type takes a SimArg class, which converts only from an object of that
# PSTypeName, so the binder refuses anything else and tries the next parameter or set, as it does
# for the real type ("Stop-Service W3SVC" binds -Name, not -InputObject). Enums and .NET types pwsh
# has bind as themselves.
$script:SimulatedTypes = @('System.ServiceProcess.ServiceController', 'System.Diagnostics.Process', 'Microsoft.Management.Infrastructure.CimInstance', 'System.Management.Automation.Runspaces.PSSession')
$classes = foreach ($t in $script:SimulatedTypes) {
    $short = $t.Substring($t.LastIndexOf('.') + 1)
    "class SimArg$short { [psobject]`$Value; SimArg$short([psobject]`$o) { if (`$o.PSTypeNames -notcontains '$t') { throw [System.InvalidCastException]::new('not a $t') }; `$this.Value = `$o } }"
}
$typeMap = {
    param($Parameter)
    if ($Parameter.type -eq 'SwitchParameter') { return $null }
    $full = [string]$Parameter.fullType
    $array = $full.EndsWith('[]')
    $element = $full.TrimEnd('[]')
    if ($script:SimulatedTypes -contains $element) { return "SimArg$($element.Substring($element.LastIndexOf('.') + 1))$(if ($array) { '[]' })" }
    $t = $element -as [type]
    if ($null -ne $t -and ($t.IsEnum -or $t.IsPrimitive -or $t -eq [string])) { return $full }
    $null
}
$exported = @()
$aliases = @()
# The functions' text (the longest part of the start-up after Wire.cs) is cached like Wire.dll.
$generate = {
    param($To)
    $functions = foreach ($entry in $catalog.cmdlets.GetEnumerator()) {
        $body = "process { Invoke-IisctlSim `$PSCmdlet '$($entry.Key)' `$PSBoundParameters }"
        if (@($catalog.pathCmdlets) -contains $entry.Key) {
            # Only the simulated drives are Windows': any other path is PowerShell's own provider.
            $body = "process { if (Test-IisctlSimPath `$PSBoundParameters) { Invoke-IisctlSim `$PSCmdlet '$($entry.Key)' `$PSBoundParameters } else { Microsoft.PowerShell.Management\$($entry.Key) @PSBoundParameters } }"
        }
        if ($script:ClockBodies.ContainsKey($entry.Key)) { $body = $script:ClockBodies[$entry.Key] }
        if ($entry.Key -eq 'Get-Command') {
            $body = "process { if (Test-IisctlSimNativeName `$PSBoundParameters) { Invoke-IisctlSim `$PSCmdlet 'Get-Command' `$PSBoundParameters } else { Microsoft.PowerShell.Core\Get-Command @PSBoundParameters } }"
        }
        if ($entry.Key -eq 'New-Object') {
            $body = "process { if ([string]`$PSBoundParameters['TypeName'] -match '^(System\.)?Threading\.Mutex$') { Invoke-IisctlSim `$PSCmdlet 'New-Object' `$PSBoundParameters } else { Microsoft.PowerShell.Utility\New-Object @PSBoundParameters } }"
        }
        if ($script:RemotingBodies.ContainsKey($entry.Key)) { $body = $script:RemotingBodies[$entry.Key] }
        $proxy = New-IisctlProxy $entry.Key $entry.Value $script:Common $body -Loose -TypeMap $typeMap
        "function script:$($entry.Key) {`n$($proxy.Text)`n}"
    }
    $text = (@($classes) + @($functions)) -join "`n"
    if ($To) { [System.IO.File]::WriteAllText($To, $text, $script:Utf8) } else { $text }
}
$text = if ($script:Cache) { [System.IO.File]::ReadAllText((Get-IisctlSimCached 'SimWindows.generated.ps1' $generate), $script:Utf8) } else { & $generate }
foreach ($entry in $catalog.cmdlets.GetEnumerator()) {
    $exported += $entry.Key
    foreach ($a in @($entry.Value.aliases)) {
        # pwsh's own aliases (gci, dir, gps...) name the command, which is now this function.
        if (Microsoft.PowerShell.Utility\Get-Alias -Name $a -ErrorAction Ignore) { continue }
        Microsoft.PowerShell.Utility\Set-Alias -Name $a -Value $entry.Key -Scope Script
        $aliases += $a
    }
}
# One script, dot-sourced here: the classes are known when the functions' param blocks are parsed,
# and the functions belong to this module (they see its private functions).
. ([scriptblock]::Create($text))
# Native programs of a Windows with IIS (lib/sim/cmdlets/iisreset.ts, sc.ts).
foreach ($native in @($catalog.natives)) {
    . ([scriptblock]::Create("function script:$native { Invoke-IisctlSimNative '$native' `$args }"))
    $exported += $native
}
Export-ModuleMember -Function $exported -Alias $aliases
