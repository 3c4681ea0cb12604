/**
 * `iisctl status` (iisreset /STATUS): the IIS service set, worker processes and the restart
 * toggle. With the iisreset switch it prints iisreset's own lines,
 * `Status for <DisplayName> ( <ServiceName> ) : <State>` (docs/sources.md §1.6; only "Running" is
 * attested there, other states are printed with their ServiceControllerStatus names).
 */
import { describeHolder, type IisClient, type AppPoolInfo, type SiteInfo, type StatusResult, type ServiceRecoveryInfo } from '../../index';
import { errorJson, forEachHost, oneLine, Runtime } from '../context';
import { CliCommand, handler } from '../handler';
import { Output, table } from '../render';
import { recoveryText } from './recovery';
import { simulatorEngineLine } from '../io';
import { isIisctlError } from '../../errors';

export const STATUS_USAGE = 'iisctl status [-c HOST]... [--json]';

export const statusCommand = (runtime: Runtime): CliCommand => ({
  run: handler(runtime, 'status', STATUS_USAGE, (ctx, args) =>
    forEachHost(ctx, {
      // iisreset /STATUS shows the services only; iisctl status adds pools and sites.
      run: (iis) => (args.iisreset ? iis.status() : withWeb(iis)),
      human: (s) => {
        if (args.iisreset) return renderIisreset(ctx.out, s);
        renderStatus(ctx.out, s as FullStatus);
        if (args.simulate || args.scenario !== undefined) ctx.out.line(simulatorEngineLine(ctx.io));
      },
    }),
  ),
});

/**
 * Pools and sites, or why they could not be read (e.g. no WebAdministration module). Access denied
 * is not shown as "not readable": IIS configuration is readable only by Administrators, so an
 * unelevated status fails as a whole (ACCESS_DENIED, exit 5, with the "run elevated" hint).
 */
interface FullStatus extends StatusResult {
  recovery?: ServiceRecoveryInfo[];
  appPools?: AppPoolInfo[];
  sites?: SiteInfo[];
  webError?: Record<string, unknown>;
}

async function withWeb(iis: IisClient): Promise<FullStatus> {
  const status = await iis.status();
  try {
    return { ...status, appPools: await iis.appPools.list(), sites: await iis.sites.list() };
  } catch (error) {
    if (isIisctlError(error, 'ACCESS_DENIED')) throw error;
    return { ...status, webError: errorJson(error) };
  }
}

function renderIisreset(out: Output, s: StatusResult): void {
  for (const svc of s.services) out.line(`Status for ${svc.displayName} ( ${svc.name} ) : ${svc.status}`);
}

function renderStatus(out: Output, s: FullStatus): void {
  const rows = s.services.map((svc) => [svc.name, svc.displayName, out.state(svc.status), svc.startType, svc.processId ? String(svc.processId) : '-']);
  for (const l of table(['SERVICE', 'DISPLAY NAME', 'STATUS', 'START TYPE', 'PID'], rows)) out.line(l);
  out.line('');
  out.line(`Worker processes (w3wp): ${s.workerProcessIds.join(', ') || 'none'}`);
  const r = s.restarts;
  if (r.enabled) out.line(`Restarts: ${out.state('enabled')}`);
  else out.line(`Restarts: ${out.state('disabled')}${r.disabledBy ? ` by ${r.disabledBy}` : ''}${r.disabledAt ? ` at ${r.disabledAt}` : ''}${r.reason ? ` (${r.reason})` : ''}`);
  out.line(s.lock.held ? `Host lock: held by ${describeHolder(s.lock.holder)}` : 'Host lock: free');
  if (s.recovery?.length) {
    out.line('');
    out.line('Automatic Restart (service recovery):');
    for (const r of s.recovery) out.line(`  ${r.service}: ${r.exists ? recoveryText(r) : 'not installed'}`);
  }
  if (s.webError) {
    out.line('');
    out.line(`Application pools and sites: not readable (${oneLine(String(s.webError.message))})`);
  }
  if (s.appPools?.length) {
    out.line('');
    const rows = s.appPools.map((p) => [p.name, out.state(p.state), p.workerProcessIds.join(',') || '-', p.sites.join(', ') || '-']);
    for (const l of table(['POOL', 'STATE', 'WORKERS', 'SITES'], rows)) out.line(l);
  }
  if (s.sites?.length) {
    out.line('');
    const rows = s.sites.map((x) => [x.name, out.state(x.state), x.bindings.map((b) => `${b.protocol}/${b.bindingInformation}`).join(' ') || '-']);
    for (const l of table(['SITE', 'STATE', 'BINDINGS'], rows)) out.line(l);
  }
}
