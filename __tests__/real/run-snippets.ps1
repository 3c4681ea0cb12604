# Runs batches of one-line scripts (lib/powershell/envelope.ts toSingleLine, as the library sends
# them) in this one pwsh process, for the differential test of the simulator's interpreter
# (interp-differential.test.ts). Each line of stdin names a JSON file holding an array of lines;
# the results go to <file>.out.json as an array of { stdout, failure }: what the script wrote with
# [Console]::Out (captured per script) and, when the line itself failed (a parse error of the
# script it builds), that error's FullyQualifiedErrorId and message. One "done" line answers each
# batch on stdout.
#
# The culture is en-US, the one the interpreter models (lib/sim/README.md, "Not emulated"); pwsh on
# Linux starts with the invariant culture when LANG is unset.
$ErrorActionPreference = 'Continue'
$ProgressPreference = 'SilentlyContinue'
[cultureinfo]::CurrentCulture = [cultureinfo]::new('en-US')
[cultureinfo]::CurrentUICulture = [cultureinfo]::new('en-US')
$iisctlDiffStdout = [Console]::Out
while ($null -ne ($iisctlDiffPath = [Console]::In.ReadLine())) {
    $iisctlDiffLines = @(Get-Content -Raw -LiteralPath $iisctlDiffPath | ConvertFrom-Json)
    $iisctlDiffResults = [System.Collections.Generic.List[object]]::new()
    foreach ($iisctlDiffLine in $iisctlDiffLines) {
        $iisctlDiffWriter = [System.IO.StringWriter]::new()
        $iisctlDiffFailure = $null
        [Console]::SetOut($iisctlDiffWriter)
        try {
            $null = & ([scriptblock]::Create($iisctlDiffLine)) 2>$null
        } catch {
            $iisctlDiffFailure = [ordered]@{ fullyQualifiedErrorId = $_.FullyQualifiedErrorId; category = [string]$_.CategoryInfo.Category; message = $_.Exception.Message }
        } finally {
            [Console]::SetOut($iisctlDiffStdout)
        }
        $iisctlDiffResults.Add([ordered]@{ stdout = $iisctlDiffWriter.ToString(); failure = $iisctlDiffFailure })
    }
    ConvertTo-Json -InputObject $iisctlDiffResults.ToArray() -Depth 4 -Compress | Set-Content -LiteralPath "$iisctlDiffPath.out.json" -Encoding utf8NoBOM
    $iisctlDiffStdout.WriteLine('done')
    $iisctlDiffStdout.Flush()
}
