import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CoordinationService } from '@coord/nest';
import { watchMembers, type Member } from '@coord/recipes';

export const CLIENT_CONFIG = 'CLIENT_CONFIG';
/** Pause before watching the list again after a failure (ms). */
export const watchRetryPauseMs = 1_000;

/** The line the seed's DistributeClient prints on every change: the names of the online servers. */
export function formatOnline(servers: Member[]): string {
  return `online servers: [${servers.map((s) => s.name).join(', ')}]`;
}

/** Why a server left, as far as the coordination service lets a watcher know. */
export type OfflineReason = 'deregistered' | 'session ended';

export interface ServerChange {
  kind: 'online' | 'offline';
  server: Member;
  reason?: OfflineReason;
}

/** hh:mm:ss.mmm in local time: when the client saw the change. */
export function clockTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * Who came and who went between two lists (by registration node). A server that said goodbye in its
 * node's data before the node went was deregistered; one whose node went without a word lost its
 * session (the process died and the session expired, or it closed its session without deregistering).
 */
export function diffServers(before: Member[], after: Member[], saidGoodbye: ReadonlySet<string>): ServerChange[] {
  const key = (s: Member) => s.path ?? s.name;
  const was = new Set(before.map(key));
  const is = new Set(after.map(key));
  return [
    ...before.filter((s) => !is.has(key(s))).map((server): ServerChange => ({ kind: 'offline', server, reason: saidGoodbye.has(key(server)) ? 'deregistered' : 'session ended' })),
    ...after.filter((s) => !was.has(key(s))).map((server): ServerChange => ({ kind: 'online', server })),
  ];
}

export function formatChange(c: ServerChange, at: Date): string {
  const where = c.server.port !== undefined ? ` at ${c.server.host}:${c.server.port}` : '';
  const node = c.server.path ? ` (${c.server.path})` : '';
  if (c.kind === 'online') return `${clockTime(at)} ${c.server.name} came online${where}${node}`;
  const why =
    c.reason === 'deregistered'
      ? 'deregistered: it removed its own node on the way out'
      : 'session ended: its node went without a goodbye, so the process died and its session expired (or it closed the session without deregistering)';
  return `${clockTime(at)} ${c.server.name} went offline${node}, ${why}`;
}

/** What the client says when its own link to the coordination service changes. */
export function formatServiceState(state: string, at: Date, connectString: string): string | undefined {
  const t = clockTime(at);
  if (state === 'suspended') return `${t} coordination service at ${connectString} LOST (connection dropped); the list below may be stale until it is back`;
  if (state === 'reconnected') return `${t} coordination service back (same session): the list is live again`;
  if (state === 'lost') return `${t} session with the coordination service expired; the list is unknown until a new session starts`;
  if (state === 'connected') return `${t} coordination service back with a new session: re-reading the list`;
  return undefined;
}

/**
 * Keeps the current list of servers under /servers: read once, then re-read on every child change
 * (the watch is re-armed each time, as the seed's case does in its watcher's process()).
 */
@Injectable()
export class ServerList implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DistributeClient');
  private readonly stop = new AbortController();
  private servers: Member[] = [];
  private readonly listeners = new Set<(servers: Member[]) => void>();
  private loop: Promise<void> = Promise.resolve();
  /** Registration nodes whose data changed (the server's goodbye) and nodes already watched for it. */
  private readonly saidGoodbye = new Set<string>();
  private readonly watchedForGoodbye = new Set<string>();
  private everConnected = false;
  private readonly onState = (state: string) => {
    if (state === 'connected' && !this.everConnected) {
      this.everConnected = true;
      return;
    }
    const line = formatServiceState(state, this.now(), this.config.connectString ?? 'the configured address');
    if (line) (state === 'reconnected' || state === 'connected' ? this.logger.log(line) : this.logger.warn(line));
  };

  constructor(
    private readonly coordination: CoordinationService,
    @Inject(CLIENT_CONFIG) private readonly config: { serversPath: string; connectString?: string },
  ) {}

  /** The clock the event lines are stamped with (a test may replace it). */
  now: () => Date = () => new Date();

  get current(): Member[] {
    return this.servers;
  }

  /** Called with the new list after every change. */
  onChange(listener: (servers: Member[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onApplicationBootstrap(): void {
    this.everConnected = this.coordination.client.state === 'connected';
    this.coordination.client.on('state', this.onState);
    this.loop = this.watchForever();
  }

  /** A failed watch (say the chroot does not exist yet) is reported once per distinct error and retried. */
  private async watchForever(): Promise<void> {
    let lastError = '';
    while (!this.stop.signal.aborted) {
      try {
        await this.watch();
      } catch (err) {
        if (this.stop.signal.aborted) return;
        const message = (err as Error).message;
        if (message !== lastError) this.logger.warn(`watching ${this.config.serversPath} failed: ${message}; retrying`);
        lastError = message;
        await new Promise((r) => setTimeout(r, watchRetryPauseMs));
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.coordination.client.off('state', this.onState);
    this.stop.abort();
    await this.loop;
  }

  private async watch(): Promise<void> {
    await this.coordination.ready();
    let first = true;
    for await (const servers of watchMembers(this.coordination.client, this.config.serversPath, { signal: this.stop.signal })) {
      const changes = diffServers(this.servers, servers, this.saidGoodbye);
      this.servers = servers;
      for (const s of servers) this.watchForGoodbye(s.path);
      if (changes.length === 0 && !(first && servers.length === 0)) continue;
      first = false;
      const at = this.now();
      for (const c of changes) this.logger.log(formatChange(c, at));
      for (const c of changes) if (c.kind === 'offline' && c.server.path) this.forget(c.server.path);
      this.logger.log(formatOnline(servers));
      for (const l of this.listeners) l(servers);
    }
  }

  /** A data watch on a registration node: it fires when the server writes its goodbye (or when the node goes). */
  private watchForGoodbye(path: string | undefined): void {
    if (!path || this.watchedForGoodbye.has(path)) return;
    this.watchedForGoodbye.add(path);
    this.coordination.client
      .exists(path, { watch: (e) => void (e.type === 'NodeDataChanged' && this.saidGoodbye.add(path)) })
      .catch(() => undefined);
  }

  private forget(path: string): void {
    this.saidGoodbye.delete(path);
    this.watchedForGoodbye.delete(path);
  }
}
