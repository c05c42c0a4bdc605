import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CoordinationService, watchInstances, type ServiceInstance } from '@coord/nest';

export const CLIENT_CONFIG = 'CLIENT_CONFIG';
/** Pause before watching the list again after a failure (ms). */
export const watchRetryPauseMs = 1_000;

/** The line the seed's DistributeClient prints on every change: the names of the online servers. */
export function formatOnline(servers: ServiceInstance[]): string {
  return `online servers: [${servers.map((s) => s.name).join(', ')}]`;
}

/**
 * Keeps the current list of servers under /servers: read once, then re-read on every child change
 * (the watch is re-armed each time, as the seed's case does in its watcher's process()).
 */
@Injectable()
export class ServerList implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DistributeClient');
  private readonly stop = new AbortController();
  private servers: ServiceInstance[] = [];
  private readonly listeners = new Set<(servers: ServiceInstance[]) => void>();
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly coordination: CoordinationService,
    @Inject(CLIENT_CONFIG) private readonly config: { serversPath: string },
  ) {}

  get current(): ServiceInstance[] {
    return this.servers;
  }

  /** Called with the new list after every change. */
  onChange(listener: (servers: ServiceInstance[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onApplicationBootstrap(): void {
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
    this.stop.abort();
    await this.loop;
  }

  private async watch(): Promise<void> {
    await this.coordination.ready();
    for await (const servers of watchInstances(this.coordination.client, this.config.serversPath, { signal: this.stop.signal })) {
      const changed = servers.map((s) => s.path).join() !== this.servers.map((s) => s.path).join();
      this.servers = servers;
      if (!changed && servers.length > 0) continue;
      this.logger.log(formatOnline(servers));
      for (const l of this.listeners) l(servers);
    }
  }
}
