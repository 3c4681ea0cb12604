import * as fs from 'node:fs';
import * as path from 'node:path';

// The package ships its own copy of the cmdlet catalog; it must stay identical to the shared one.
const shared = path.resolve(__dirname, '../../../shared/powershell/cmdlets.json');
const ours = path.resolve(__dirname, '../../lib/sim/cmdlets.json');

(fs.existsSync(shared) ? it : it.skip)('lib/sim/cmdlets.json is an unchanged copy of ../shared/powershell/cmdlets.json', () => {
  expect(fs.readFileSync(ours).equals(fs.readFileSync(shared))).toBe(true);
});

it('the shipped catalog lists the cmdlets iisctl relies on', () => {
  const catalog = JSON.parse(fs.readFileSync(ours, 'utf8')) as { cmdlets: Record<string, unknown> };
  for (const name of ['Get-Service', 'Stop-Service', 'Start-Service', 'Get-WinEvent', 'Invoke-Command', 'Stop-WebAppPool', 'ConvertTo-Json']) {
    expect(catalog.cmdlets[name]).toBeDefined();
  }
});
