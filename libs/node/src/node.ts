/**
 * The standalone role's driver: the shared client port (client-port.ts) around the shared pipeline
 * (RequestPipeline in its standalone role). After each batch of input it drains the pipeline (setImmediate,
 * so one socket write per connection per loop turn), appends the txns it sequenced to the local log and
 * lets the pipeline apply them once the log has them (group commit: one append per pump).
 */
import { randomBytes } from 'node:crypto';
import { RequestPipeline, ServerConfig, type ServerStats } from '@coord/server';
import { createLogger, loadNodeConfig, Logger, NodeConfig } from './ops';
import { RoleDriver } from './role-driver';
import { MemoryTxnLog, TxnLog } from './txn-log';

export interface StartNodeOptions extends Partial<NodeConfig> {
  logger?: Logger;
  txnLog?: TxnLog;
  /** Loads persisted state into the core before the node listens (the durable store's recovery). */
  restore?: (core: RequestPipeline) => Promise<void> | void;
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
    sasl: config.security.sasl,
    requiredAuthSchemes: config.security.requiredAuthSchemes,
    x509SuperUser: config.security.x509SuperUser,
    enforceQuota: config.security.enforceQuota,
    sessionWatchesMax: config.security.sessionWatchesMax,
    sessionEphemeralsMax: config.security.sessionEphemeralsMax,
    sessionOutstandingMax: config.security.sessionOutstandingMax,
  };
}

export interface RunningNode {
  host: string;
  port: number;
  core: RequestPipeline;
  config: NodeConfig;
  /** The AdminServer's and the Prometheus endpoint's URLs; null when off (admin.*, metricsProvider.*). */
  readonly adminUrl: string | null;
  readonly metricsUrl: string | null;
  close(): Promise<void>;
}

export async function startNode(options: StartNodeOptions = {}): Promise<RunningNode> {
  const { logger: givenLogger, txnLog: givenLog, core: coreOverrides, restore, ...overrides } = options;
  const config: NodeConfig = { ...loadNodeConfig([], {}).config, ...overrides };
  const log = givenLogger ?? createLogger('coord-node', { level: config.logLevel });
  const txnLog = givenLog ?? new MemoryTxnLog();
  const core = new RequestPipeline({ ...coreConfigOf(config), ...coreOverrides }, { now: Date.now, randomBytes, logger: log.child('server') });
  if (restore) await restore(core);
  const node = new NodeServer(core, config, txnLog, log);
  await node.listen();
  return node;
}

/** The standalone role: the pipeline sequences its own writes; the local txn log commits them. */
class NodeServer extends RoleDriver implements RunningNode {
  constructor(
    readonly core: RequestPipeline,
    config: NodeConfig,
    private readonly txnLog: TxnLog,
    log: Logger,
  ) {
    super(config, log);
  }

  listen(): Promise<void> {
    return this.listenForClients();
  }

  async close(): Promise<void> {
    if (await this.closeClients()) await this.txnLog.close?.();
  }

  protected stats(askingConnId: number): ServerStats {
    return this.core.stats(askingConnId);
  }

  /** Drains the pipeline: sends what it produced, appends txns to the log, applies them once durable. */
  protected pump(): void {
    for (;;) {
      const { toPersist, effects } = this.core.ready();
      this.clientPort.deliver(effects);
      if (toPersist.length === 0) break;
      const lastZxid = toPersist[toPersist.length - 1].zxid;
      const appendStartedAt = Date.now();
      this.metrics.syncProcessorBatchSize.record(toPersist.length);
      const pending = this.txnLog.append(toPersist);
      if (pending === undefined) {
        this.core.advance(lastZxid);
        continue;
      }
      pending.then(
        () => {
          this.metrics.fsyncTime.record(Date.now() - appendStartedAt);
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
