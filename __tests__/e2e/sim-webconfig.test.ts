/**
 * The simulated Get-/Set-WebConfigurationProperty and sc.exe refuse what IIS and sc refuse, through a
 * PowerShellSession against the built simulated host.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IisctlError } from '../../lib/errors';
import { ps } from '../../lib/powershell/quote';
import { PowerShellSession } from '../../lib/powershell/session';
import { resolveExecutable } from '../../lib/powershell/executable';

const root = path.resolve(__dirname, '../..');
const hostJs = path.join(root, 'dist/sim/host.js');

beforeAll(() => {
  if (!fs.existsSync(hostJs)) {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root });
    execFileSync(process.execPath, ['scripts/copy-assets.js'], { cwd: root });
  }
}, 120_000);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-e2e-webconfig-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let session: PowerShellSession;
beforeEach(() => {
  session = new PowerShellSession({ executable: resolveExecutable({ simulate: path.join(root, 'lib/sim/scenarios/fast.json'), env: { IISCTL_SIM_STATE: path.join(tmp, `s${Math.random()}.json`) } }), callTimeoutMs: 20_000 });
});
afterEach(() => session.close());

const F = "system.applicationHost/applicationPools/add[@name='DefaultAppPool']";
async function error(script: ReturnType<typeof ps>): Promise<IisctlError> {
  const e = await session.run(script).then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(IisctlError);
  return e as IisctlError;
}

describe('simulated Set-WebConfigurationProperty', () => {
  it.each([
    ['failure', 'rapidFailProtectionMaxCrashes', 0],
    ['cpu', 'action', 'Kill'],
    ['processModel', 'idleTimeoutAction', 'Sleep'],
    ['processModel', 'shutdownTimeLimit', 'soon'],
    ['recycling', 'logEventOnRecycle', 'Time,Crash'],
    ['', 'autoStart', 'maybe'],
  ])('refuses %s/@%s = %j with "The data is invalid" and changes nothing', async (element, name, value) => {
    const filter = element ? `${F}/${element}` : F;
    const e = await error(ps`Import-Module WebAdministration; Set-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter ${filter} -Name ${name} -Value ${value}`);
    expect(e.message).toMatch(/0x8007000D/);
  });

  it('reads an attribute as a ConfigurationAttribute, enums as strings, TimeSpans as TimeSpan', async () => {
    const r = (await session.run(ps`Import-Module WebAdministration
$a = Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter ${F + '/failure'} -Name 'rapidFailProtectionMaxCrashes'
$e = Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter ${F + '/cpu'} -Name 'action'
$t = Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter ${F + '/processModel'} -Name 'idleTimeout'
$none = Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter "system.applicationHost/applicationPools/add[@name='nope']" -Name 'name'
[pscustomobject]@{ A = $a.Value; AType = $a.PSTypeNames[0]; E = $e; T = $t.Value.TotalMinutes; None = ($null -eq $none) }`)) as Record<string, unknown>;
    expect(r).toEqual({ A: 5, AType: 'Microsoft.IIs.PowerShell.Framework.ConfigurationAttribute', E: 'NoAction', T: 20, None: true });
  });

  it('unsupported filters fail loudly, never silently', async () => {
    const e = await error(ps`Import-Module WebAdministration; Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter 'system.webServer/httpErrors' -Name 'errorMode'`);
    expect(e.powershell?.fullyQualifiedErrorId).toMatch(/^NotImplementedBySimulatedHost/);
  });
});

describe('simulated sc.exe', () => {
  it('qfailure of an unknown service: [SC] OpenService FAILED 1060 and $LASTEXITCODE 1060', async () => {
    const r = (await session.run(ps`$o = @(sc.exe qfailure 'NOPE' 2>&1 | ForEach-Object { [string]$_ }); [pscustomobject]@{ Out = ($o -join '|'); Code = $LASTEXITCODE }`)) as Record<string, unknown>;
    expect(r).toEqual({ Out: '[SC] OpenService FAILED 1060:||The specified service does not exist as an installed service.', Code: 1060 });
  });

  // Windows PowerShell 5.1 only: PowerShell 6 removed the alias ("Remove `sc` alias which conflicts
  // with `sc.exe` (#5827)", the 6.0.0 release notes in the PowerShell repository's CHANGELOG), so the
  // pwsh engine has none (lib/sim/README.md, the 5.1-vs-7 differences).
  (process.env.IISCTL_SIM_ENGINE === 'pwsh' ? it.skip : it)('plain sc is Set-Content, not sc.exe', async () => {
    const e = await error(ps`sc qfailure W3SVC`);
    expect(e.powershell?.fullyQualifiedErrorId).toMatch(/SetContentCommand/);
  });
});
