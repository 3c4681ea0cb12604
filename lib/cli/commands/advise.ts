/** `iisctl advise`: what to change instead of resetting IIS, with evidence and the fixing command (library: iis.advise()). */
import { LIMITS } from '../../limits';
import { DEFAULTS } from '../../defaults';
import type { AdviseResult } from '../../index';
import { forEachHost, Runtime } from '../context';
import { CliCommand, handler } from '../handler';
import { Output } from '../render';
import { cliNumber } from '../validate';

export const ADVISE_USAGE = 'iisctl advise [--days N] [--json] [-c HOST]...';

export const adviseCommand = (runtime: Runtime): CliCommand => ({
  builder: (y) => y.option('days', { type: 'number', requiresArg: true, describe: `Days of events to look at (default ${DEFAULTS.adviseDays})` }),
  run: handler<{ days?: number }>(runtime, 'advise', ADVISE_USAGE, (ctx, args) => {
    const days = cliNumber('days', args.days, LIMITS.adviseDays, ADVISE_USAGE);
    return forEachHost(ctx, { run: (iis) => iis.advise({ days }), human: (r) => renderAdvice(ctx.out, r) });
  }),
});

function renderAdvice(out: Output, r: AdviseResult): void {
  if (r.findings.length === 0) {
    out.line(`No findings on ${r.host}: checked ${r.checked.pools} pool(s), ${r.checked.services.join(', ') || 'no services'}, ${r.checked.events} event(s) of the last ${r.days} day(s).`);
    return;
  }
  out.line(`${r.findings.length} finding(s) on ${r.host} (events of the last ${r.days} day(s)):`);
  r.findings.forEach((f, i) => {
    out.line('');
    out.line(`${i + 1}. [${f.id}] ${f.title}`);
    for (const e of f.evidence) out.line(`   evidence: ${e}`);
    out.line(`   fix:      ${f.fix.command}`);
    out.line(`             ${f.fix.description}`);
  });
}
