/**
 * The pwsh engine: one real PowerShell 7 process runs the simulated host's script lines, with the
 * SimWindows module (SimWindows.psm1) imported so that the Windows-only cmdlets iisctl uses are
 * functions calling this simulator's machine through the bridge (bridge.ts). Everything else
 * (the language, the binder, error records, ConvertTo-Json, $?, the pipeline) is PowerShell's own.
 *
 * The process is started once per engine (one per simulated host process or in-process transport),
 * through the library's own process transport (node-powershell, lib/powershell/processTransport.ts),
 * exactly as the library starts pwsh on a real machine; its first line imports the module.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProcessTransport } from '../../powershell/processTransport';
import { toSingleLine } from '../../powershell/envelope';
import { loadCatalogFile, Catalog } from '../catalog';
import { simCmdlets, simNatives } from '../cmdlets/index';
import { coreCmdlets } from '../cmdlets/core';
import { pwshRemotingCmdlets } from '../cmdlets/remoting';
import type { SimHost } from '../cmdlets/simhost';
import type { RunResult } from '../interp';
import { pwshCacheDir, type PwshCommand } from './locate';
import { Bridge } from './bridge';
import { VirtualClock } from '../clock';

/**
 * The cmdlets the module shadows: the Windows-only ones the library's scripts call (lib/sim/README.md,
 * "The pwsh engine"). Cmdlets pwsh has on Linux too are shadowed only where they reach simulated
 * Windows: processes (simulated pids) entirely, item cmdlets only on the simulated drives (PATH_CMDLETS).
 */
const PATH_CMDLETS = ['Get-Item', 'Get-ChildItem', 'Test-Path', 'Get-ItemProperty', 'Get-ItemPropertyValue', 'Set-ItemProperty', 'New-Item', 'New-ItemProperty', 'Remove-ItemProperty'];
/**
 * Remoting to the simulated computers (SimWindows.psm1's remoting section): Invoke-Command only with
 * -ComputerName or -Session (else PowerShell's own), the PSSession cmdlets entirely.
 */
const REMOTING_CMDLETS = ['Invoke-Command', 'New-PSSession', 'Get-PSSession', 'Remove-PSSession'];
/**
 * The host's clock (SimWindows.psm1, "the clock"): Get-Date reads the simulated machine's time and
 * Start-Sleep sleeps on it, as the interpreter's do, so the library's waits on the host run on the
 * same clock as the machine (virtual time in process).
 */
const CLOCK_CMDLETS = ['Get-Date', 'Start-Sleep'];
export const SHADOWED = [
  'Get-Service', 'Start-Service', 'Stop-Service', 'Restart-Service', 'Set-Service', 'Get-CimInstance',
  'Get-Process', 'Stop-Process',
  'Get-WinEvent', 'Write-EventLog', 'New-EventLog',
  'Import-Module', 'Get-Module',
  'Get-WebAppPoolState', 'Start-WebAppPool', 'Stop-WebAppPool', 'Restart-WebAppPool', 'Get-Website', 'Start-Website', 'Stop-Website',
  'Get-WebsiteState', 'Get-WebBinding', 'Get-WebApplication', 'Get-IISAppPool', 'Get-IISSite',
  'Get-WebConfigurationProperty', 'Set-WebConfigurationProperty', 'Backup-WebConfiguration', 'Get-WebConfigurationBackup', 'Restore-WebConfiguration',
  'Get-Counter', 'Restart-Computer',
  ...PATH_CMDLETS,
  ...REMOTING_CMDLETS,
  // Only for System.Threading.Mutex: a named mutex is the simulated computer's (cmdlets/mutex.ts),
  // owned by the simulated host process; anything else is PowerShell's own New-Object.
  'New-Object',
  ...CLOCK_CMDLETS,
  // A credential file's password is DPAPI-protected for one account on one computer: the simulated
  // machine's (cmdlets/clixml.ts); pwsh on Linux has no DPAPI.
  'Import-Clixml',
  // Only for iisreset[.exe]: an Application in system32 where IIS is installed, not found where it
  // is not (cmdlets/commands.ts); anything else is PowerShell's own Get-Command.
  'Get-Command',
];
/** Native programs of a Windows with IIS. */
const NATIVES = ['iisreset', 'iisreset.exe', 'sc.exe'];

export interface PwshEngineOptions {
  pwsh: PwshCommand;
  host: SimHost;
  computerName: string;
  /** What the simulated powershell.exe starts with in its environment (a remote credential's password). */
  environment?: Record<string, string | undefined>;
}

/**
 * On a virtual clock (clock.ts), the time pwsh spends computing is real work the clock must not
 * jump over (the session's deadline sleeps on it): each stretch of it, from the line's start or a
 * bridge reply to the next bridge request or the line's end, is marked busy. A bridge call waiting
 * on the machine (a service stopping) sleeps on the clock like the interpreter's cmdlets do.
 */
class BusyStretches {
  private end: (() => void) | undefined;
  constructor(private readonly clock: VirtualClock) {}
  begin(): void {
    if (this.end) return;
    this.clock.whileBusy(new Promise<void>((resolve) => (this.end = resolve)));
  }
  stop(): void {
    const end = this.end;
    this.end = undefined;
    end?.();
  }
}

/**
 * The simulated machine's time zone is UTC (its Local times are UTC clock times: values.ts PsDateTime,
 * Wire.cs): pwsh runs in it too, so the Local DateTime Get-Date gets from the machine converts to the
 * same instant (.NET on Unix reads the zone from TZ). Not on Windows, where .NET ignores TZ.
 */
const SIM_TIME_ZONE: Record<string, string> = process.platform === 'win32' ? {} : { TZ: 'UTC' };

/** What the pwsh engines of this Node process ran: their count and the script lines sent to pwsh (test summaries read it). */
export const pwshEngineRuns = { engines: 0, lines: 0 };

/**
 * With $IISCTL_PWSH_TIER_COUNTS set (scripts/test-pwsh-engine.js), a process appends what its pwsh
 * engines ran to that file when it exits, as one JSON line: so a simulated host process the CLI
 * spawned is counted too (one killed with SIGKILL is not). A test process reports per suite and
 * zeroes the counts (__tests__/e2e/pwsh-engine-setup.ts), leaving nothing here.
 */
let countsReported = false;
function reportCountsAtExit(): void {
  const file = process.env.IISCTL_PWSH_TIER_COUNTS;
  if (countsReported || !file) return;
  countsReported = true;
  process.once('exit', () => {
    if (pwshEngineRuns.engines === 0 && pwshEngineRuns.lines === 0) return;
    try {
      fs.appendFileSync(file, JSON.stringify({ file: `process ${process.pid}`, ...pwshEngineRuns }) + '\n');
    } catch {
      // A count is not worth failing an exit for.
    }
  });
}

/**
 * A block (the host held the lines of an unfinished statement until a blank line: protocol.ts) as
 * one line that dot-sources it, so it runs at once in the global scope, as typed input does; sent
 * as it is, pwsh's own block mode would hold it again.
 */
function asOneLine(block: string): string {
  return `. ${toSingleLine(block).slice('& '.length)}`;
}

/** Output text that ends with its line end again (none for no output). */
function asLines(text: string): string {
  return text ? `${text}\n` : '';
}

/** Runs lines like the interpreter does (runLine), on real pwsh. */
export class PwshEngine {
  private readonly dir: string;
  private readonly server: net.Server;
  private readonly transport: Promise<ProcessTransport>;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly busy: BusyStretches | undefined;
  /** pwsh's process id once it started: ended with this process (atExit). */
  private pwshPid: number | undefined;

  constructor(o: PwshEngineOptions) {
    pwshEngineRuns.engines++;
    reportCountsAtExit();
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-pwsh-'));
    // A host process that exits (exit N, SIGTERM, a crash fault) leaves no socket or catalog behind,
    // and no pwsh: the simulated powershell.exe is one process, which ends as a whole.
    process.once('exit', this.atExit);
    const socketPath = process.platform === 'win32' ? `\\\\.\\pipe\\iisctl-sim-${path.basename(this.dir)}` : path.join(this.dir, 'bridge.sock');
    const catalogFile = path.join(this.dir, 'catalog.json');
    const full = loadCatalogFile();
    const missing = SHADOWED.filter((n) => !(n in full.cmdlets));
    if (missing.length) throw new Error(`pwsh engine: not in the catalog: ${missing.join(', ')}`);
    const catalogText = JSON.stringify({
      commonParameters: full.commonParameters,
      riskMitigationParameters: full.riskMitigationParameters,
      cmdlets: Object.fromEntries(SHADOWED.map((n) => [n, full.cmdlets[n]])),
      pathCmdlets: PATH_CMDLETS,
      natives: NATIVES,
    });
    fs.writeFileSync(catalogFile, catalogText);
    const cacheDir = moduleCacheDir(catalogText, o.pwsh);
    const catalog = new Catalog(full);
    const clock = o.host.clock;
    this.busy = clock instanceof VirtualClock ? new BusyStretches(clock) : undefined;
    const bridge = new Bridge({
      host: o.host, computerName: o.computerName, cmdlets: new Map([...simCmdlets, ['New-Object', coreCmdlets.get('New-Object')!], ...pwshRemotingCmdlets, ['Start-Sleep', coreCmdlets.get('Start-Sleep')!]]), natives: simNatives, typeName: (n) => catalog.cmdletTypeName(n),
      onRequest: () => this.busy?.stop(),
      onReplied: () => this.busy?.begin(),
    });
    this.server = net.createServer((socket) => {
      // Neither the server nor pwsh's connection keeps Node alive by itself (the in-process
      // transport's contract); a call holds pwsh's process while it runs (runLine).
      socket.unref();
      bridge.serve(socket);
    });
    const listening = new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(socketPath, () => {
        this.server.unref();
        resolve();
      });
    });
    const starting = listening.then(async () => {
      const t = new ProcessTransport({
        command: o.pwsh.command,
        leadingArgs: o.pwsh.args,
        env: { ...o.environment, IISCTL_SIM_BRIDGE: socketPath, IISCTL_SIM_CATALOG: catalogFile, IISCTL_SIM_PID: String(o.host.processId), TERM: 'dumb', ...SIM_TIME_ZONE, ...(cacheDir ? { IISCTL_SIM_CACHE: cacheDir } : {}) },
        description: 'real PowerShell 7 (simulator pwsh engine)',
        simulated: true,
      });
      const moduleFile = path.join(__dirname, 'SimWindows.psm1');
      t.hold(true);
      try {
        const started = await t.send(`Import-Module -Name '${moduleFile.replace(/'/g, "''")}' -DisableNameChecking -ErrorAction Stop`);
        if (started.stderr.trim()) throw new Error(`pwsh engine: the SimWindows module did not load: ${started.stderr.trim()}`);
      } finally {
        this.busy?.stop();
        t.hold(false);
      }
      this.pwshPid = t.pid;
      return t;
    });
    // Starting pwsh is real work too: a virtual clock waits for it.
    this.transport = this.busy ? (clock as VirtualClock).whileBusy(starting) : starting;
    this.transport.catch(() => undefined);
  }

  /** The pwsh process id (for tests and logs). */
  async pid(): Promise<number | undefined> {
    return (await this.transport).pid;
  }

  runLine(line: string): Promise<RunResult> {
    const run = this.queue.then(async () => {
      const t = await this.transport;
      pwshEngineRuns.lines++;
      t.hold(true);
      this.busy?.begin();
      try {
        const out = await t.send(line.includes('\n') ? asOneLine(line) : line);
        // The transport gives a call's output trimmed; the simulated host writes it on as the lines pwsh wrote.
        return { stdout: asLines(out.stdout), stderr: asLines(out.stderr), exitCode: t.exited ? exitCodeOf(t.exitDetail) : undefined };
      } catch (e) {
        // `exit N` ends pwsh during the line: the simulated host ends with that code, as the interpreter's does.
        if (t.exited) return { stdout: '', stderr: t.stderrLines().join('\n'), exitCode: exitCodeOf(t.exitDetail) };
        throw e;
      } finally {
        this.busy?.stop();
        t.hold(false);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    try {
      const t = await this.transport;
      await t.terminate('SIGTERM');
    } catch {
      // never started: nothing to end
    }
    this.server.close();
    process.removeListener('exit', this.atExit);
    this.removeDir();
  }

  private readonly removeDir = (): void => fs.rmSync(this.dir, { recursive: true, force: true });

  /**
   * This process is exiting (a closed session's SIGTERM, `exit N`, a crash fault): pwsh ends with
   * it at once, mid-line too, as a killed powershell.exe stops where it is. Left to itself, pwsh
   * would first finish its line (its bridge gone) and only then see stdin's end: a stray the
   * session's close() had already reported gone (e2e/interruptions on this engine).
   */
  private readonly atExit = (): void => {
    if (this.pwshPid !== undefined) {
      try {
        process.kill(this.pwshPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.removeDir();
  };
}

/** The module's files whose content decides what it builds at start-up (SimWindows.psm1 caches that). */
const MODULE_FILES = ['SimWindows.psm1', 'proxies.ps1', 'Wire.cs'];

/**
 * The directory where the module keeps Wire.dll and its generated functions, named by the hash of
 * everything they are made from (the module's files, the catalog, which pwsh): a change to any of
 * them is a new directory, never a stale build. Undefined when there is nowhere to keep it.
 */
export function moduleCacheDir(catalogText: string, pwsh: PwshCommand): string | undefined {
  const root = pwshCacheDir();
  if (!root) return undefined;
  const hash = crypto.createHash('sha256');
  for (const f of MODULE_FILES) hash.update(fs.readFileSync(path.join(__dirname, f))).update('\0');
  hash.update(catalogText).update('\0').update([pwsh.command, ...pwsh.args].join('\0'));
  const dir = path.join(root, hash.digest('hex').slice(0, 24));
  try {
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  } catch {
    return undefined;
  }
}

function exitCodeOf(detail: string | undefined): number {
  const m = /exit code (\d+)/.exec(detail ?? '');
  return m ? Number(m[1]) : 1;
}
