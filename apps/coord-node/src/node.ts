/**
 * The standalone role's driver: the shared client port (client-port.ts) around the shared pipeline
 * (ServerCore in its standalone role). After each batch of input it drains the pipeline (setImmediate,
 * so one socket write per connection per loop turn), appends the txns it sequenced to the local log and
 * lets the pipeline apply them once the log has them (group commit: one append per pump).
 */
import { randomBytes } from 'node:crypto';
import { ClientPort } from './client-port';
import { ServerCore, ServerConfig } from '@coord/server';
import { createLogger, loadNodeConfig, Logger, NodeConfig } from './ops';
import { toServerStats } from './stats-adapter';
import { MemoryTxnLog, TxnLog } from './txn-log';

/** The core's tick runs this often at most (ms); finer than tickTime so expiry is on time. */
const tickIntervalMsMax = 500;
const tickIntervalMsMin = 10;

export interface StartNodeOptions extends Partial<NodeConfig> {
  logger?: Logger;
  txnLog?: TxnLog;
  /** Loads persisted state into the core before the node listens (the durable store's recovery). */
  restore?: (core: ServerCore) => Promise<void> | void;
  /** Extra core settings (notificationZxid, containerCheckIntervalMs, ...). */
  core?: Partial<ServerConfig>;
}

/** The pipeline's settings from the node's (zoo.cfg keys and flags), the same for every role. */
export function coreConfigOf(config: NodeConfig): Partial<ServerConfig> {
  return {
    tickTimeMs: config.tickTime,
    minSessionTimeoutMs: config.minSessionTimeout,
    maxSessionTimeoutMs: config.maxSessionTimeout,
    serverId: config.serverId > 0 ? config.serverId : 1,
    superDigest: config.superDigest,
    extendedTypesEnabled: config.extendedTypesEnabled,
    frameBytesMax: config.juteMaxBuffer,
  };
}

export interface RunningNode {
  host: string;
  port: number;
  core: ServerCore;
  config: NodeConfig;
  close(): Promise<void>;
}

export async function startNode(options: StartNodeOptions = {}): Promise<RunningNode> {
  const { logger: givenLogger, txnLog: givenLog, core: coreOverrides, restore, ...overrides } = options;
  const config: NodeConfig = { ...loadNodeConfig([], {}).config, ...overrides };
  const log = givenLogger ?? createLogger('coord-node', { level: config.logLevel });
  const txnLog = givenLog ?? new MemoryTxnLog();
  const core = new ServerCore({ ...coreConfigOf(config), ...coreOverrides }, { now: Date.now, randomBytes, logger: log.child('server') });
  if (restore) await restore(core);
  const node = new NodeServer(core, config, txnLog, log);
  await node.listen();
  return node;
}

/** The standalone role: the pipeline sequences its own writes; the local txn log commits them. */
class NodeServer implements RunningNode {
  host = '';
  port = 0;
  private readonly clientPort: ClientPort;
  private pumpScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly core: ServerCore,
    readonly config: NodeConfig,
    private readonly txnLog: TxnLog,
    private readonly log: Logger,
  ) {
    this.clientPort = new ClientPort(config, log, () => this.core, {
      stats: (askingConnId) => toServerStats(this.core.stats(), askingConnId),
      onInput: () => this.schedulePump(),
    });
  }

  async listen(): Promise<void> {
    await this.clientPort.listen();
    this.host = this.clientPort.host;
    this.port = this.clientPort.port;
    const interval = Math.max(tickIntervalMsMin, Math.min(tickIntervalMsMax, Math.floor(this.config.tickTime / 4)));
    this.timer = setInterval(() => this.onTick(), interval);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.clientPort.close();
    await this.txnLog.close?.();
  }

  private onTick(): void {
    try {
      this.core.tick();
    } catch (e) {
      this.log.error('tick failed', e);
    }
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  /** Drains the pipeline: sends what it produced, appends txns to the log, applies them once durable. */
  private pump(): void {
    this.pumpScheduled = false;
    for (;;) {
      const { toPersist, effects } = this.core.ready();
      this.clientPort.deliver(effects);
      if (toPersist.length === 0) break;
      const lastZxid = toPersist[toPersist.length - 1].zxid;
      const pending = this.txnLog.append(toPersist);
      if (pending === undefined) {
        this.core.advance(lastZxid);
        continue;
      }
      pending.then(
        () => {
          this.core.advance(lastZxid);
          // Release at once (not a loop turn later): the replies were only waiting for this.
          if (!this.closed) this.pump();
        },
        (err) => {
          // Without a durable log the node must not acknowledge anything more: stop loudly.
          this.log.error('txn log append failed; shutting down', err);
          void this.close();
        },
      );
      break;
    }
    this.clientPort.flush();
  }
}
