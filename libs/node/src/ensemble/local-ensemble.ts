/**
 * A local ensemble of real member processes on loopback, for `nx run coord-node:ensemble` (demos,
 * workshops) and for the fault tests. Each member gets a data directory with `myid` and a `zoo.cfg`
 * with the same server.N lines, as a ZooKeeper ensemble would, and runs the node the way users do
 * (apps/coord-node/scripts/start.js: transpiled JavaScript, no compiler in the process).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const workspaceRoot = resolve(__dirname, '..', '..', '..', '..');
const startScript = join(workspaceRoot, 'apps/coord-node/scripts/start.js');
const listeningLine = /Coordinode listening on ([^\s:]+):(\d+)/;
/** A member that does not print its listening line within this long failed to start (ms). */
export const memberStartDeadlineMs = 30_000;
/** SIGTERM first; a member still alive after this long gets SIGKILL (ms). */
export const memberStopGraceMs = 5_000;

export interface EnsemblePorts {
  client: number;
  quorum: number;
  election: number;
  /** The member's AdminServer and web console (0 or absent: a free port, logged by the member). */
  admin?: number;
}

export interface LocalEnsembleOptions {
  /** One entry per member; member i (1-based) uses ports[i - 1]. */
  ports: EnsemblePorts[];
  dataRoot: string;
  /** zoo.cfg keys added to (or overriding) the defaults below. */
  settings?: Record<string, string>;
  logLevel?: string;
  /** Where members' stderr goes: 'inherit' for the launcher, 'pipe' (kept in memory) for tests. */
  stderr?: 'inherit' | 'pipe';
  /**
   * Where member `from` reaches member `to` (default: `to`'s own ports). Partition tests route
   * links through loopback proxies this way; members always listen on their own ports.
   */
  peerPorts?: (from: number, to: number) => { quorum: number; election: number } | undefined;
  /** Called with each line a member writes to stdout (the launcher prints them with a prefix). */
  onStdout?: (id: number, line: string) => void;
  /** Called with each line a member writes to stderr (its log); stderr is then piped whatever `stderr` says. */
  onStderr?: (id: number, line: string) => void;
  /** Called when a member process exits, whether it was asked to (stop, kill) or died by itself. */
  onExit?: (id: number, pid: number | undefined, code: number | null, signal: NodeJS.Signals | null) => void;
}

/**
 * Defaults for a fast local ensemble: a silent leader is given up after syncLimit x tickTime = 500 ms,
 * and election rounds move in 50 ms ticks.
 */
export const localSettingsDefault: Record<string, string> = {
  tickTime: '50',
  initLimit: '40',
  syncLimit: '10',
  minSessionTimeout: '1000',
  maxSessionTimeout: '40000',
  '4lw.commands.whitelist': '*',
  // The AdminServer and web console are on for a local ensemble (each member on its own port).
  'admin.enableServer': 'true',
};

export type MemberRole = 'leader' | 'follower' | 'looking';

/**
 * A member's role as its own log tells it: "serving as leader|follower of epoch N" when it starts
 * serving, "stopped serving" when it goes back to an election. Other lines leave the role unchanged.
 */
export function roleFromLogLine(line: string): MemberRole | undefined {
  const serving = /serving as (leader|follower) of epoch/.exec(line);
  if (serving) return serving[1] as MemberRole;
  if (/stopped serving/.test(line)) return 'looking';
  return undefined;
}

/** The prefix every member line gets in the launcher's output. */
export function memberPrefix(id: number, role: MemberRole): string {
  return `[member ${id} ${role}]`;
}

/** A shell command that runs `node` with these arguments (quoted where needed). */
export function shellCommand(args: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
  return ['node', ...args].map(quote).join(' ');
}

export interface LocalMember {
  readonly id: number;
  readonly ports: EnsemblePorts;
  readonly dataDir: string;
  child: ChildProcess | null;
  stderr: string;
}

export class LocalEnsemble {
  readonly members: LocalMember[];

  constructor(private readonly options: LocalEnsembleOptions) {
    this.members = options.ports.map((ports, i) => ({ id: i + 1, ports, dataDir: join(options.dataRoot, `member-${i + 1}`), child: null, stderr: '' }));
    const settings = { ...localSettingsDefault, ...options.settings };
    for (const m of this.members) {
      mkdirSync(m.dataDir, { recursive: true });
      writeFileSync(join(m.dataDir, 'myid'), `${m.id}\n`);
      const lines = [
        ...Object.entries(settings).map(([k, v]) => `${k}=${v}`),
        `dataDir=${m.dataDir}`,
        `clientPort=${m.ports.client}`,
        'clientPortAddress=127.0.0.1',
        ...(settings['admin.serverPort'] === undefined ? [`admin.serverPort=${m.ports.admin ?? 0}`] : []),
        ...this.members.map((o) => {
          const via = o.id === m.id ? undefined : options.peerPorts?.(m.id, o.id);
          // The client port too, so each member's console can ask the others how they are (srvr).
          return `server.${o.id}=127.0.0.1:${via?.quorum ?? o.ports.quorum}:${via?.election ?? o.ports.election};127.0.0.1:${o.ports.client}`;
        }),
      ];
      writeFileSync(join(m.dataDir, 'zoo.cfg'), lines.join('\n') + '\n');
    }
  }

  /** host:port,host:port,... for clients. */
  get connectString(): string {
    return this.members.map((m) => `127.0.0.1:${m.ports.client}`).join(',');
  }

  member(id: number): LocalMember {
    const m = this.members.find((x) => x.id === id);
    if (!m) throw new Error(`no member ${id}`);
    return m;
  }

  async startAll(): Promise<void> {
    await Promise.all(this.members.map((m) => this.start(m.id)));
  }

  /** The arguments `node` runs member `id` with (the restart command the launcher prints uses them too). */
  memberArgs(id: number): string[] {
    const m = this.member(id);
    // COORD_ENSEMBLE_NODE_ARGS: extra node flags for every member (e.g. --cpu-prof for profiling).
    const nodeArgs = (process.env.COORD_ENSEMBLE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    const args = [...nodeArgs, startScript, `--config=${join(m.dataDir, 'zoo.cfg')}`];
    if (this.options.logLevel) args.push(`--log-level=${this.options.logLevel}`);
    return args;
  }

  /** Starts (or restarts) member `id`; resolves once it listens for clients. */
  start(id: number): Promise<void> {
    const m = this.member(id);
    const piped = this.options.onStderr !== undefined || this.options.stderr !== 'inherit';
    const child = spawn(process.execPath, this.memberArgs(id), {
      cwd: workspaceRoot,
      stdio: ['ignore', 'pipe', piped ? 'pipe' : 'inherit'],
    });
    m.child = child;
    m.stderr = '';
    let pendingErr = '';
    child.stderr?.on('data', (c: Buffer) => {
      const text = c.toString('utf8');
      m.stderr += text;
      if (!this.options.onStderr) return;
      const lines = (pendingErr + text).split('\n');
      pendingErr = lines.pop()!;
      for (const line of lines) if (line) this.options.onStderr(id, line);
    });
    child.once('exit', (code, signal) => this.options.onExit?.(id, child.pid, code, signal));
    let stdout = '';
    let pendingOut = '';
    return new Promise<void>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`member ${id} did not start within ${memberStartDeadlineMs} ms:\n${m.stderr}`)), memberStartDeadlineMs);
      child.stdout!.on('data', (c: Buffer) => {
        const text = c.toString('utf8');
        stdout += text;
        const lines = (pendingOut + text).split('\n');
        pendingOut = lines.pop()!;
        for (const line of lines) if (line) this.options.onStdout?.(id, line);
        if (listeningLine.test(stdout)) {
          clearTimeout(timer);
          resolvePromise();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (m.child === child) m.child = null;
        reject(new Error(`member ${id} exited (code ${code}, signal ${signal}):\n${m.stderr}`));
      });
    });
  }

  /** kill -9 (no clean shutdown). */
  async kill(id: number): Promise<void> {
    await this.signal(id, 'SIGKILL');
  }

  /** SIGTERM, then SIGKILL after memberStopGraceMs. */
  async stop(id: number): Promise<void> {
    await this.signal(id, 'SIGTERM');
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.members.map((m) => this.stop(m.id)));
  }

  private async signal(id: number, signal: NodeJS.Signals): Promise<void> {
    const m = this.member(id);
    const child = m.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const force = setTimeout(() => child.kill('SIGKILL'), memberStopGraceMs);
    await exited;
    clearTimeout(force);
    if (m.child === child) m.child = null;
  }
}
