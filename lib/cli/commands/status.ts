/**
 * `iisctl status` (iisreset /STATUS): the IIS service set, worker processes and the restart
 * toggle. With the iisreset switch it prints iisreset's own lines,
 * `Status for <DisplayName> ( <ServiceName> ) : <State>` (iis-reference 1.6; only "Running" is
 * attested there, other states are printed with their ServiceControllerStatus names).
 */
import type { CommandModule } from 'yargs';
import type { StatusResult } from '../../control/iisServices';
import { forEachHost, Runtime } from '../context';
import { Args, handler } from '../handler';
import { Output, table } from '../render';

export const STATUS_USAGE = 'iisctl status [-c HOST]... [--json]';

export const statusCommand = (runtime: Runtime): CommandModule<object, Args> => ({
  command: 'status',
  describe: 'Show the IIS services, worker processes and whether restarts are enabled',
  handler: handler(runtime, 'status', STATUS_USAGE, (ctx, args) =>
    forEachHost(ctx, {
      run: (iis) => iis.status(),
      human: (s) => (args.iisreset ? renderIisreset(ctx.out, s) : renderStatus(ctx.out, s)),
    }),
  ),
});

function renderIisreset(out: Output, s: StatusResult): void {
  for (const svc of s.services) out.line(`Status for ${svc.displayName} ( ${svc.name} ) : ${svc.status}`);
}

function renderStatus(out: Output, s: StatusResult): void {
  const rows = s.services.map((svc) => [svc.name, svc.displayName, out.state(svc.status), svc.startType, svc.processId ? String(svc.processId) : '-']);
  for (const l of table(['SERVICE', 'DISPLAY NAME', 'STATUS', 'START TYPE', 'PID'], rows)) out.line(l);
  out.line('');
  out.line(`Worker processes (w3wp): ${s.workerProcessIds.join(', ') || 'none'}`);
  const r = s.restarts;
  if (r.enabled) out.line(`Restarts: ${out.state('enabled')}`);
  else out.line(`Restarts: ${out.state('disabled')}${r.disabledBy ? ` by ${r.disabledBy}` : ''}${r.disabledAt ? ` at ${r.disabledAt}` : ''}${r.reason ? ` (${r.reason})` : ''}`);
}
