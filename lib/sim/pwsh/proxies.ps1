# Proxy functions with the documented signatures of the catalog's cmdlets (cmdlets.json: the
# Windows PowerShell 5.1 reference), so that PowerShell's own binder can judge every command of a
# generated script without Windows. Dot-sourced by __tests__/real/check-scripts.ps1 and
# run-hostile.ps1, and by the simulator's pwsh engine (SimWindows.psm1: the same param blocks, bodies
# that call the simulated machine).
#
# A proxy is an advanced function: [CmdletBinding()] gives it the common parameters, and
# SupportsShouldProcess adds -WhatIf/-Confirm, as the real cmdlet has them (about_Functions_CmdletBindingAttribute,
# https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_functions_cmdletbindingattribute).
# Each documented parameter set becomes [Parameter(ParameterSetName=...)] with the documented
# position, Mandatory and pipeline input; aliases become [Alias()], accepted values [ValidateSet()].
# Provider dynamic parameters (dynamicProvider) are left out: they exist only for their provider's
# paths, and the caller checks them against the catalog's provider list.

# Parameters declared ValueFromRemainingArguments in the real cmdlets; the catalog does not record
# it (WriteHostCommand.cs and WriteOutputCommand.cs, PowerShell/PowerShell repository).
$script:IisctlRemaining = @{ 'Write-Host' = 'Object'; 'Write-Output' = 'InputObject'; 'Get-Command' = 'ArgumentList' }
# Positions the catalog (from the docs) gives otherwise than the cmdlet's source: Get-Command's
# ArgumentList is Position 1 in every set ([Parameter(Position = 1, ValueFromRemainingArguments =
# true)], GetCommandCommand.cs in src/System.Management.Automation/engine of the PowerShell
# repository), where the docs' CmdletSet says 0, which made `Get-Command Get-Service` bind the name
# to -ArgumentList.
$script:IisctlPositions = @{ 'Get-Command' = @{ ArgumentList = 1 } }

function ConvertTo-IisctlPsLiteral([string]$Text) {
    "'" + $Text.Replace("'", "''") + "'"
}

# Types a recording proxy keeps (run-hostile.ps1): what a value typed as text is converted to.
$script:IisctlPlainTypes = @('String', 'String[]', 'Int32', 'Int32[]', 'Int64', 'UInt32', 'Boolean', 'ScriptBlock', 'Hashtable', 'Hashtable[]', 'PSCredential', 'Object', 'Object[]', 'DateTime')

function Resolve-IisctlProxyType($Parameter, [switch]$Loose) {
    if ($Parameter.type -eq 'SwitchParameter') { return 'switch' }
    if ($Loose) {
        # Executed proxies stand in for objects that exist only on Windows (a PSSession, a service):
        # only plain types convert the value; anything else binds as is.
        if ($script:IisctlPlainTypes -contains $Parameter.type) { return $Parameter.type }
        if ([string]$Parameter.type -like '*`[`]') { return 'object[]' }
        return 'object'
    }
    foreach ($candidate in @($Parameter.fullType, $Parameter.type)) {
        if ($candidate -and $candidate -notmatch '[<>`]') {
            $t = $candidate -as [type]
            if ($null -ne $t) { return $candidate }
        }
    }
    # A Windows-only type (ServiceController, WebConfigurationBackup, ...): any value binds, as the
    # binder's own conversion of such objects cannot be judged here.
    if ([string]$Parameter.type -like '*`[`]') { return 'object[]' }
    return 'object'
}

# The text of one proxy function for cmdlet $Name. $Body is the function body after the param
# block (a begin/process/end text). $TypeMap (optional) gives a parameter's type text, or $null for
# the default. Returns @{ Text; Dynamic = names of dynamic parameters }.
function New-IisctlProxy([string]$Name, $Cmdlet, [string[]]$Common, [string]$Body, [switch]$Loose, [scriptblock]$TypeMap) {
    $params = [ordered]@{}
    $dynamic = @()
    foreach ($set in $Cmdlet.parameterSets) {
        foreach ($p in $set.parameters) {
            if ($p.dynamicProvider) { $dynamic += $p.name; continue }
            if ($Common -contains $p.name) { continue }
            if (-not $params.Contains($p.name)) { $params[$p.name] = @{ Template = $p; Sets = [ordered]@{} } }
            if ($params[$p.name].Sets.Contains($set.name)) { continue }
            $pos = [array]::IndexOf(@($set.positionalOrder), $p.name)
            if ($script:IisctlPositions.ContainsKey($Name) -and $script:IisctlPositions[$Name].ContainsKey($p.name)) { $pos = $script:IisctlPositions[$Name][$p.name] }
            $params[$p.name].Sets[$set.name] = @{ Position = $pos; Mandatory = [bool]$p.required; Pipeline = [string]$p.pipeline }
        }
        foreach ($y in @($set.yamlOnlyParameters)) {
            if ($params.Contains($y) -and -not $params[$y].Sets.Contains($set.name)) {
                $params[$y].Sets[$set.name] = @{ Position = -1; Mandatory = $false; Pipeline = [string]$params[$y].Template.pipeline }
            }
        }
    }
    $decl = foreach ($entry in $params.GetEnumerator()) {
        $p = $entry.Value.Template
        $attrs = foreach ($s in $entry.Value.Sets.GetEnumerator()) {
            $parts = @("ParameterSetName=$(ConvertTo-IisctlPsLiteral $s.Key)")
            if ($s.Value.Position -ge 0) { $parts += "Position=$($s.Value.Position)" }
            if ($s.Value.Mandatory) { $parts += 'Mandatory=$true' }
            if ($s.Value.Pipeline -match 'ByValue') { $parts += 'ValueFromPipeline=$true' }
            if ($s.Value.Pipeline -match 'ByPropertyName') { $parts += 'ValueFromPipelineByPropertyName=$true' }
            if ($script:IisctlRemaining[$Name] -eq $p.name) { $parts += 'ValueFromRemainingArguments=$true' }
            "[Parameter($($parts -join ', '))]"
        }
        $extra = @()
        if (@($p.aliases).Count -gt 0) { $extra += "[Alias($(@(@($p.aliases).ForEach({ ConvertTo-IisctlPsLiteral $_ })) -join ', '))]" }
        if ($null -ne $p.acceptedValues -and @($p.acceptedValues).Count -gt 0 -and $p.type -ne 'SwitchParameter') {
            $extra += "[ValidateSet($(@(@($p.acceptedValues).ForEach({ ConvertTo-IisctlPsLiteral $_ })) -join ', '))]"
        }
        $type = if ($TypeMap) { & $TypeMap $p } else { $null }
        if (-not $type) { $type = Resolve-IisctlProxyType $p -Loose:$Loose }
        "    $($attrs -join ' ') $($extra -join ' ') [$type] `$$($p.name)"
    }
    $binding = "DefaultParameterSetName=$(ConvertTo-IisctlPsLiteral $Cmdlet.defaultParameterSet)"
    if ($Cmdlet.supportsShouldProcess) { $binding += ', SupportsShouldProcess=$true' }
    $text = "[CmdletBinding($binding)]`nparam(`n$($decl -join ",`n")`n)`n$Body"
    @{ Text = $text; Dynamic = $dynamic }
}

# Once installed, the proxies shadow the real cmdlets of the same names (ForEach-Object, Get-Command,
# ConvertTo-Json...): code that runs after this uses foreach, .Where()/.ForEach() and module-qualified
# cmdlet names.
# Defines every catalog cmdlet (and its documented aliases) as a global proxy function.
# Returns name -> @{ Dynamic } for the caller.
function Install-IisctlProxies($Catalog, [string]$Body, [string[]]$Skip = @(), [switch]$Loose) {
    $common = @($Catalog.commonParameters) + @($Catalog.riskMitigationParameters)
    $info = @{}
    foreach ($entry in $Catalog.cmdlets.GetEnumerator()) {
        if ($Skip -contains $entry.Key) { continue }
        $proxy = New-IisctlProxy $entry.Key $entry.Value $common $Body -Loose:$Loose
        Microsoft.PowerShell.Management\Set-Item -LiteralPath "function:global:$($entry.Key)" -Value ([scriptblock]::Create($proxy.Text))
        foreach ($a in @($entry.Value.aliases)) { Microsoft.PowerShell.Utility\Set-Alias -Name $a -Value $entry.Key -Scope Global -Force -Option AllScope -ErrorAction SilentlyContinue }
        $info[$entry.Key] = @{ Dynamic = $proxy.Dynamic }
    }
    $info
}
