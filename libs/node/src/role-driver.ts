/**
 * What every role's driver shares: the client port around the pipeline, the pipeline's tick, and the
 * pump that runs once per event-loop turn after input (setImmediate, so one socket write per
 * connection per turn). A role adds only where prepared writes go and when they commit (node.ts: the
 * local log; ensemble/ensemble-node.ts: ZAB).
 */
import { readFileSync } from 'node:fs';
import type { RequestPipeline, ServerStats } from '@coord/server';
import { AdminSurface, type AdminSource } from './admin/admin-server';
import type { RoleView } from './admin/commands';
import { NodeMetrics } from './admin/node-metrics';
import { ClientPort } from './client-port';
import { formatZooKeeperVersion, type Logger, type NodeConfig } from './ops';

/** The "built on" date of the version line (srvr, envi, the AdminServer). */
const builtOnMs = Date.UTC(2026, 10, 25, 0, 0);
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
  /** Latency, fsync, snapshot and election figures: mntr, the AdminServer and /metrics read these. */
  readonly metrics = new NodeMetrics();
  /** The AdminServer, console and Prometheus endpoint, when the config asks for them. */
  protected admin: AdminSurface | null = null;
  protected lastSnapshotInfo: { zxid: number; timestamp: number } | undefined;

  protected abstract readonly core: RequestPipeline;
  /** Moves what the pipeline (and the role's replication) produced; called at most once per loop turn. */
  protected abstract pump(): void;
  /** The pipeline's stats snapshot with what this role adds (mode, serving, leader figures). */
  protected abstract stats(askingConnId: number): ServerStats;

  constructor(
    readonly config: NodeConfig,
    protected readonly log: Logger,
  ) {
    this.clientPort = new ClientPort(config, log, () => this.core, {
      stats: (askingConnId) => this.fullStats(askingConnId),
      onInput: () => this.schedulePump(),
    });
  }

  /** What this member is in its ensemble (the ensemble driver overrides; standalone here). */
  protected role(): RoleView {
    return { mode: 'standalone', serverId: this.config.serverId, leaderId: null, zabState: '', voting: false };
  }

  /** Further mntr keys of the role (the ensemble adds its quorum size). */
  protected roleMonitorValues(): [string, number][] {
    return [];
  }

  /**
   * The node's one stats source: the pipeline's snapshot, the role's fields, the full version text and
   * the node's metrics. The four-letter words, the AdminServer and /metrics all read this.
   */
  protected fullStats(askingConnId: number): ServerStats {
    const stats = this.stats(askingConnId);
    stats.version = formatZooKeeperVersion(stats.version, builtOnMs);
    stats.extraMonitorValues = [...this.roleMonitorValues(), ...this.metrics.monitorValues()];
    return stats;
  }

  /** Opens the client port, starts the pipeline's tick, then the operator surface if configured. */
  protected async listenForClients(): Promise<void> {
    await this.clientPort.listen();
    this.host = this.clientPort.host;
    this.port = this.clientPort.port;
    this.every(Math.max(coreTickMsMin, Math.min(coreTickMsMax, Math.floor(this.config.tickTime / 4))), () => this.core.tick());
    this.core.observers.replied = (opcode, ms) => this.metrics.recordReply(opcode, ms);
    this.core.observers.applied = (txn) => {
      this.metrics.recordCommit();
      this.admin?.events.onApplied(txn);
    };
    if (AdminSurface.wanted(this.config)) await this.startAdmin();
  }

  private async startAdmin(): Promise<void> {
    const admin = new AdminSurface(this.adminSource(), this.log.child('admin'));
    try {
      await admin.start();
      this.admin = admin;
    } catch (e) {
      // As ZooKeeper: a node whose AdminServer cannot bind still serves its clients; say so loudly.
      await admin.close();
      this.log.error(`${(e as Error).message}; serving clients without it`);
    }
  }

  private adminSource(): AdminSource {
    return {
      config: this.config,
      core: () => this.core,
      stats: () => {
        const stats = this.fullStats(-1);
        stats.clientPort ??= this.port;
        return stats;
      },
      role: () => this.role(),
      metrics: this.metrics,
      clientAddress: () => ({ host: this.host, port: this.port }),
      lastSnapshot: () => this.lastSnapshotInfo,
      initialConfiguration: () => maskedConfig(this.config.configPath),
    };
  }

  /** The AdminServer's URL (`http://127.0.0.1:8080`), null when it is off. */
  get adminUrl(): string | null {
    return this.admin?.adminUrl ?? null;
  }

  get metricsUrl(): string | null {
    return this.admin?.metricsUrl ?? null;
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
      if (this.closed) return;
      // Work the pipeline spreads over turns (sessions expiring at once, watches of closed connections)
      // goes one slice per turn, so other clients are served in between.
      if (this.core.hasDeferredWork) this.core.housekeep();
      this.pump();
      if (this.core.hasDeferredWork) this.schedulePump();
    });
  }

  /** Stops the timers and closes the client port; false when already closed. */
  protected async closeClients(): Promise<boolean> {
    if (this.closed) return false;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.admin?.close();
    await this.clientPort.close();
    return true;
  }
}

/** zoo.cfg as it was read, with the value of any key naming a digest, password or secret replaced. */
function maskedConfig(path: string | undefined): string {
  if (!path) return '';
  try {
    return readFileSync(path, 'utf8').replace(/^(\s*[^#!\s=:]*(?:digest|passw|secret)[^=:\s]*\s*[=:]).*$/gim, '$1********');
  } catch {
    return '';
  }
}
