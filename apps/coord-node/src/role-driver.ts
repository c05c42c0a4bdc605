/**
 * What every role's driver shares: the client port around the pipeline, the pipeline's tick, and the
 * pump that runs once per event-loop turn after input (setImmediate, so one socket write per
 * connection per turn). A role adds only where prepared writes go and when they commit (node.ts: the
 * local log; ensemble/ensemble-node.ts: ZAB).
 */
import type { ServerCore } from '@coord/server';
import { ClientPort } from './client-port';
import type { Logger, NodeConfig, ServerStats } from './ops';

/** The pipeline's tick runs this often at most (ms); finer than tickTime so expiry is on time. */
const coreTickMsMax = 500;
const coreTickMsMin = 10;

export abstract class RoleDriver {
  host = '';
  port = 0;
  protected readonly clientPort: ClientPort;
  protected closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private pumpScheduled = false;

  protected abstract readonly core: ServerCore;
  /** Moves what the pipeline (and the role's replication) produced; called at most once per loop turn. */
  protected abstract pump(): void;
  /** What the four-letter words print for this role. */
  protected abstract stats(askingConnId: number): ServerStats;

  constructor(
    readonly config: NodeConfig,
    protected readonly log: Logger,
  ) {
    this.clientPort = new ClientPort(config, log, () => this.core, {
      stats: (askingConnId) => this.stats(askingConnId),
      onInput: () => this.schedulePump(),
    });
  }

  /** Opens the client port and starts the pipeline's tick. */
  protected async listenForClients(): Promise<void> {
    await this.clientPort.listen();
    this.host = this.clientPort.host;
    this.port = this.clientPort.port;
    this.every(Math.max(coreTickMsMin, Math.min(coreTickMsMax, Math.floor(this.config.tickTime / 4))), () => this.core.tick());
  }

  /** Runs `fn` every `ms`, then pumps; a failure is logged, never fatal to the node. */
  protected every(ms: number, fn: () => void): void {
    this.timers.push(
      setInterval(() => {
        try {
          fn();
        } catch (e) {
          this.log.error('tick failed', e);
        }
        this.schedulePump();
      }, ms),
    );
  }

  protected schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      if (!this.closed) this.pump();
    });
  }

  /** Stops the timers and closes the client port; false when already closed. */
  protected async closeClients(): Promise<boolean> {
    if (this.closed) return false;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.clientPort.close();
    return true;
  }
}
