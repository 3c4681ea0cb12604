# Judges every generated script with PowerShell itself, in one process:
#   parse  - [System.Management.Automation.Language.Parser]::ParseInput: errors
#   subset - AST nodes Windows PowerShell 5.1 cannot run (pipeline chains, ternary, ??, ??=, ?. ?[],
#            clean blocks, background &, `e / `u{} escapes; about_Pipeline_Chain_Operators,
#            about_Operators, about_Functions_Advanced_Methods (clean, 7.3), about_Special_Characters
#            on learn.microsoft.com: each says "PowerShell 6/7.x and later")
#   members- every .NET member the script calls or reads (static: [Type]::Member, instance: .Member)
#   bind   - every command naming a catalog cmdlet, bound by StaticParameterBinder.BindCommand
#            against a proxy with the documented signature (lib/sim/pwsh/proxies.ps1), plus the documented
#            mandatory parameters of the set the binder can choose (the static binder does not
#            check those: StaticParameterBinder.cs, PowerShell/PowerShell repository).
# Input JSON: { catalog: path, scripts: [{ name, text }] }. Output JSON: one record per script.
param([Parameter(Mandatory = $true)][string]$InputPath, [Parameter(Mandatory = $true)][string]$OutputPath)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2
. (Join-Path $PSScriptRoot '../../lib/sim/pwsh/proxies.ps1')
Add-Type -Path (Join-Path $PSScriptRoot 'Subset51Visitor.cs')

# Errors are shown through Out-Default, which the proxies shadow: report them on stderr ourselves.
trap { [Console]::Error.WriteLine("check-scripts.ps1: $($_.Exception.Message) $($_.ScriptStackTrace)"); exit 1 }
$request = Get-Content -Raw -LiteralPath $InputPath | ConvertFrom-Json -AsHashtable
$catalog = Get-Content -Raw -LiteralPath $request.catalog | ConvertFrom-Json -AsHashtable
$proxies = Install-IisctlProxies $catalog 'end { }'
# Which provider each documented dynamic parameter belongs to (catalog: dynamicProvider), and the
# providers of the drives a generated path can start with (about_Providers: a one-letter drive is
# FileSystem; HKLM/HKCU Registry; Cert Certificate; WSMan WSMan; IIS is WebAdministration's drive).
$script:dynamicProviders = @{}
foreach ($n in $catalog.cmdlets.Keys) {
    foreach ($set in $catalog.cmdlets[$n].parameterSets) {
        foreach ($p in $set.parameters) { if ($p.dynamicProvider) { $script:dynamicProviders["$n/$($p.name)"] = $p.dynamicProvider } }
    }
}
$script:driveProviders = @{ hklm = 'Registry'; hkcu = 'Registry'; cert = 'Certificate'; wsman = 'WSMan'; iis = 'WebAdministration'; alias = 'Alias'; env = 'Environment' }
foreach ($letter in [char[]]'abcdefghijklmnopqrstuvwxyz') { $script:driveProviders[[string]$letter] = 'FileSystem' }
$catalogNames = @{}
foreach ($n in $catalog.cmdlets.Keys) {
    $catalogNames[$n.ToLowerInvariant()] = $n
    foreach ($a in @($catalog.cmdlets[$n].aliases)) { $catalogNames[$a.ToLowerInvariant()] = $n }
}
# The common parameters of Windows PowerShell 5.1 (about_CommonParameters, 5.1): a common
# parameter outside this list (ProgressAction, 7.4) binds in pwsh 7 but not in 5.1.
$common51 = @($catalog.commonParameters) + @($catalog.riskMitigationParameters)

function Get-IisctlStringViolations($Tokens) {
    foreach ($t in $Tokens) {
        # `e (escape) and `u{x} are PowerShell 6.0+ escapes in expandable strings (about_Special_Characters).
        if (($t.Kind -eq 'StringExpandable' -or $t.Kind -eq 'HereStringExpandable') -and $t.Text.Contains('`') -and $t.Text -match '`e|`u\{') { "PowerShell 6+ escape sequence: line $($t.Extent.StartLineNumber)" }
    }
}

$canonical = @{}
function Get-IisctlProxyInfo([string]$Name) {
    if (-not $canonical.ContainsKey($Name)) { $canonical[$Name] = Microsoft.PowerShell.Core\Get-Command -Name $Name -CommandType Function }
    $canonical[$Name]
}

function Test-IisctlBinding($CommandAst, [string]$Cmdlet) {
    $failures = [System.Collections.Generic.List[string]]::new()
    $dynamic = [System.Collections.Generic.List[string]]::new()
    $result = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($CommandAst, $true)
    foreach ($key in $result.BindingExceptions.Keys) {
        $e = $result.BindingExceptions[$key].BindingException
        if ($e.ErrorId -eq 'NamedParameterNotFound' -and @($proxies[$Cmdlet].Dynamic) -contains $key) {
            $dynamic.Add($key)
            continue
        }
        $failures.Add("$($e.ErrorId): $($e.Message)")
    }
    $bound = @($result.BoundParameters.Keys)
    $info = Get-IisctlProxyInfo $Cmdlet
    foreach ($b in $bound) {
        # A constant argument must be one of the documented accepted values (ValidateSet): the
        # static binder leaves validation to run time.
        $arg = $result.BoundParameters[$b].Value
        foreach ($attr in $info.Parameters[$b].Attributes) {
            if ($attr -is [System.Management.Automation.ValidateSetAttribute] -and $arg -is [System.Management.Automation.Language.StringConstantExpressionAst] -and @($attr.ValidValues) -notcontains $arg.Value) {
                $failures.Add("ParameterArgumentValidationError: -$b '$($arg.Value)' is not one of $(@($attr.ValidValues) -join ', ')")
            }
        }
    }
    foreach ($d in $dynamic) {
        # A provider's dynamic parameter binds only where -Path/-LiteralPath is a path of that provider.
        $provider = $script:dynamicProviders["$Cmdlet/$d"]
        $pathArg = $null
        foreach ($pn in 'Path', 'LiteralPath') { if ($result.BoundParameters.ContainsKey($pn)) { $pathArg = $result.BoundParameters[$pn].Value } }
        $drive = if ($pathArg -is [System.Management.Automation.Language.StringConstantExpressionAst] -and $pathArg.Value -match '^([A-Za-z]+):') { $Matches[1] } else { '' }
        $actual = $script:driveProviders[$drive.ToLowerInvariant()]
        if ($provider -ne $actual) { $failures.Add("DynamicParameter: -$d belongs to the $provider provider; the path is $(if ($actual) { "a $actual path" } else { 'not a constant path of a known drive' })") }
    }
    foreach ($b in $bound) {
        $meta = (Get-IisctlProxyInfo $Cmdlet).Parameters[$b]
        if ($null -ne $meta -and [System.Management.Automation.Cmdlet]::CommonParameters.Contains($b) -and $common51 -notcontains $b) {
            $failures.Add("Subset: -$b is not a common parameter of Windows PowerShell 5.1")
        }
    }
    if ($failures.Count -eq 0) {
        # Mandatory parameters: some set that holds every bound parameter must have all its
        # mandatory ones bound, or fed by the pipeline when the command is not first in it.
        $piped = $CommandAst.Parent -is [System.Management.Automation.Language.PipelineAst] -and $CommandAst.Parent.PipelineElements.IndexOf($CommandAst) -gt 0
        $declared = @($bound.Where({ -not [System.Management.Automation.Cmdlet]::CommonParameters.Contains($_) -and -not [System.Management.Automation.Cmdlet]::OptionalCommonParameters.Contains($_) }))
        $candidates = @($info.ParameterSets.Where({ $names = @($_.Parameters.Name); @($declared.Where({ $names -notcontains $_ })).Count -eq 0 }))
        $missingIn = { param($set) @($set.Parameters.Where({ $_.IsMandatory -and $bound -notcontains $_.Name -and -not ($piped -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName)) })) }
        $satisfied = @($candidates.Where({ @(& $missingIn $_).Count -eq 0 }))
        if ($candidates.Count -eq 0) { $failures.Add('AmbiguousParameterSet: no documented parameter set holds all of -' + ($declared -join ' -')) }
        elseif ($satisfied.Count -eq 0) {
            $need = @($candidates.ForEach({ "$($_.Name): -" + (@(@(& $missingIn $_).ForEach('Name')) -join ' -') }))
            $failures.Add("MissingMandatoryParameter: $($need -join '; ')")
        }
    }
    [ordered]@{ command = $CommandAst.Extent.Text.Split("`n")[0]; cmdlet = $Cmdlet; bound = $bound; failures = @($failures); dynamic = @($dynamic) }
}

$results = foreach ($s in $request.scripts) {
    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($s.text, [ref]$tokens, [ref]$errors)
    $visitor = [IisctlSubset51Visitor]::new()
    $ast.Visit($visitor)
    $bindings = [System.Collections.Generic.List[object]]::new()
    $other = [System.Collections.Generic.List[string]]::new()
    foreach ($c in $visitor.Commands) {
        $name = $c.GetCommandName()
        if ($null -eq $name) {
            # `& { ... }` runs the script's own code; anything else would be a command chosen at run time.
            if ($c.CommandElements[0] -isnot [System.Management.Automation.Language.ScriptBlockExpressionAst]) { $other.Add("(dynamic) $($c.Extent.Text.Split("`n")[0])") }
            continue
        }
        $cmdlet = $catalogNames[$name.ToLowerInvariant()]
        if ($visitor.Functions.Contains($name)) { $other.Add("function:$name") }
        elseif ($null -ne $cmdlet) { $bindings.Add((Test-IisctlBinding $c $cmdlet)) }
        else { $other.Add($name) }
    }
    [ordered]@{
        name = $s.name
        parseErrors = @(@($errors).ForEach({ "line $($_.Extent.StartLineNumber) col $($_.Extent.StartColumnNumber): $($_.ErrorId): $($_.Message)" }))
        subset = @(@($visitor.Violations) + @(Get-IisctlStringViolations $tokens))
        members = @($visitor.Members)
        bindings = @($bindings)
        otherCommands = @([System.Collections.Generic.SortedSet[string]]::new([string[]]@($other), [StringComparer]::OrdinalIgnoreCase))
    }
}
$report = [ordered]@{ powershell = $PSVersionTable.PSVersion.ToString(); results = @($results) }
[System.IO.File]::WriteAllText($OutputPath, (Microsoft.PowerShell.Utility\ConvertTo-Json -InputObject $report -Depth 8 -Compress))
