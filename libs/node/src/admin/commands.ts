/**
 * The AdminServer's commands: the names, aliases and JSON keys of Apache ZooKeeper 3.8's
 * `org.apache.zookeeper.server.admin.Commands`, answered from the same ServerStats the four-letter
 * words print (one stats source for 4lw, AdminServer and metrics). Pure: the server passes a snapshot
 * of everything a command may show; only `connection_stat_reset` and `stat_reset` ask for a change.
 */
import { resolve as resolvePath } from 'node:path';
import type { ConnectionStats, ServerStats } from '@coord/server';
import type { EnvInfo, NodeConfig } from '../ops';
import { averageForDisplay, hexLong, monitorValues } from '../ops';

/** What a member knows about the ensemble (standalone: `standalone` and no members). */
export interface RoleView {
  mode: 'standalone' | 'leader' | 'follower' | 'looking';
  serverId: number;
  /** The leader this member follows or is; null while looking or standalone. */
  leaderId: number | null;
  /** ZAB's phase in lower case as ZooKeeper's zabstate prints it (`broadcast`, `election`...), '' standalone. */
  zabState: string;
  /** True for a voting member (participant). */
  voting: boolean;
  /** Leader only: the learners and how many of them are synced. */
  learners?: { id: number; phase: string }[];
}

export interface CommandContext {
  stats: ServerStats;
  config: NodeConfig;
  env: EnvInfo;
  role: RoleView;
  /** The zoo.cfg text the node started with (secrets masked), '' without one. */
  initialConfiguration: string;
  /** The last snapshot written: zxid and time (ms); undefined before any. */
  lastSnapshot?: { zxid: number; timestamp: number };
}

export type CommandAction = 'resetServerStats' | 'resetConnectionStats';

interface Command {
  names: readonly string[];
  /** A command that needs a serving server answers ZooKeeper's "not currently serving" error otherwise. */
  serverRequired: boolean;
  action?: CommandAction;
  run(ctx: CommandContext): Record<string, unknown>;
}

const notServing = 'This ZooKeeper instance is not currently serving requests';

function connectionInfo(c: ConnectionStats, brief: boolean): Record<string, unknown> {
  const info: Record<string, unknown> = {
    remote_socket_address: `${c.remoteAddress.replace(/^::ffff:/, '')}:${c.remotePort}`,
    interest_ops: c.interestOps,
    outstanding_requests: c.queued,
    packets_received: c.received,
    packets_sent: c.sent,
  };
  if (!brief) {
    Object.assign(info, {
      session_id: c.sessionId === undefined ? 0n : BigInt.asIntN(64, c.sessionId),
      last_operation: c.lastOp ?? 'NA',
      established: c.established === undefined ? null : new Date(c.established).toISOString(),
      session_timeout: c.timeout ?? 0,
      last_cxid: c.lastCxid ?? -1,
      last_zxid: c.lastZxid ?? -1,
      last_response_time: c.lastResponse ?? 0,
      last_latency: c.lastLatency ?? 0,
      min_latency: c.minLatency ?? 0,
      avg_latency: c.avgLatency ?? 0,
      max_latency: c.maxLatency ?? 0,
    });
  }
  return info;
}

/** ZooKeeper's ServerStats as Jackson writes it (snake_case getters). */
function serverStats(s: ServerStats): Record<string, unknown> {
  const l = s.latency;
  return {
    packets_sent: s.packetsSent,
    packets_received: s.packetsReceived,
    max_latency: l.maxMs,
    min_latency: l.minMs,
    avg_latency: averageForDisplay(l.totalMs, l.count),
    outstanding_requests: s.outstanding,
    last_processed_zxid: s.zxid,
    data_dir_size: s.dataDirSizeBytes,
    log_dir_size: s.dataLogDirSizeBytes,
    server_state: s.mode,
    num_alive_client_connections: s.connections.length,
    uptime: s.uptimeMs,
    provider_null: false,
    fsync_threshold_exceed_count: 0,
    non_mtlslocal_conn_count: 0,
    non_mtlsremote_conn_count: 0,
    auth_failed_count: s.authFailedCount,
    client_response_stats: {
      last_buffer_size: s.lastClientResponseSize,
      min_buffer_size: s.minClientResponseSize,
      max_buffer_size: s.maxClientResponseSize,
    },
  };
}

function srvr(ctx: CommandContext): Record<string, unknown> {
  const s = ctx.stats;
  const out: Record<string, unknown> = {
    version: s.version,
    read_only: s.mode === 'read-only',
    server_stats: serverStats(s),
    client_response: serverStats(s)['client_response_stats'],
  };
  if (s.leader) {
    out['proposal_stats'] = { last_buffer_size: s.leader.proposalSizeLast, min_buffer_size: s.leader.proposalSizeMin, max_buffer_size: s.leader.proposalSizeMax };
  }
  out['node_count'] = s.nodeCount;
  return out;
}

function conf(ctx: CommandContext): Record<string, unknown> {
  const c = ctx.config;
  const dir = (d: string | undefined) => (d === undefined ? null : `${resolvePath(ctx.env.userDir, d)}/version-2`);
  const out: Record<string, unknown> = {
    client_port: ctx.stats.clientPort ?? c.port,
    data_dir: dir(c.dataDir),
    data_log_dir: dir(c.dataLogDir),
    tick_time: c.tickTime,
    max_client_cnxns: c.maxClientCnxns,
    min_session_timeout: c.minSessionTimeout,
    max_session_timeout: c.maxSessionTimeout,
    server_id: c.serverId,
    client_port_listen_backlog: -1,
  };
  return out;
}

function env(ctx: CommandContext): Record<string, unknown> {
  const e = ctx.env;
  return {
    'zookeeper.version': ctx.stats.version,
    'host.name': e.hostName,
    'java.version': e.runtimeVersion,
    'java.vendor': e.runtimeVendor,
    'java.home': e.runtimeHome,
    'java.class.path': e.classPath,
    'java.library.path': e.libraryPath,
    'java.io.tmpdir': e.tmpDir,
    'java.compiler': '<NA>',
    'os.name': e.osName,
    'os.arch': e.osArch,
    'os.version': e.osVersion,
    'user.name': e.userName,
    'user.home': e.userHome,
    'user.dir': e.userDir,
    'os.memory.free': `${Math.floor(e.memoryFreeBytes / 1048576)}MB`,
    'os.memory.max': `${Math.floor(e.memoryMaxBytes / 1048576)}MB`,
    'os.memory.total': `${Math.floor(e.memoryTotalBytes / 1048576)}MB`,
  };
}

/** mntr's pairs as the AdminServer's monitor answers them: keys without `zk_`, numbers as numbers. */
function monitor(ctx: CommandContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of monitorValues(ctx.stats, ctx.env)) {
    const key = k.replace(/^zk_/, '');
    out[key] = key === 'version' || key === 'server_state' || !/^-?\d+(\.\d+)?$/.test(v) ? v : Number(v);
  }
  return out;
}

function mapOfSessions<T>(m: Map<bigint, T[]>, show: (v: T) => unknown = (v) => v): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [sid, values] of m) out[String(BigInt.asIntN(64, sid))] = values.map(show);
  return out;
}

function voterView(ctx: CommandContext): Record<string, unknown> {
  if (ctx.role.mode === 'standalone') return {};
  const view: Record<string, unknown> = {};
  for (const m of ctx.config.members) {
    view[String(m.id)] = {
      server_addresses: [`${m.host}:${m.quorumPort}`],
      election_addresses: [`${m.host}:${m.electionPort}`],
      client_address: m.clientPort === undefined ? '' : `${m.clientHost ?? '0.0.0.0'}:${m.clientPort}`,
      learner_type: m.role,
    };
  }
  return view;
}

export const commands: readonly Command[] = [
  { names: ['connection_stat_reset', 'crst'], serverRequired: true, action: 'resetConnectionStats', run: () => ({}) },
  { names: ['configuration', 'conf', 'config'], serverRequired: true, run: conf },
  {
    names: ['connections', 'cons'],
    serverRequired: true,
    run: (ctx) => ({ connections: ctx.stats.connections.map((c) => connectionInfo(c, false)), secure_connections: [] }),
  },
  { names: ['dirs'], serverRequired: true, run: (ctx) => ({ datadir_size: ctx.stats.dataDirSizeBytes, logdir_size: ctx.stats.dataLogDirSizeBytes }) },
  {
    names: ['dump'],
    serverRequired: true,
    run: (ctx) => {
      const expiry: Record<string, unknown> = {};
      for (const b of [...ctx.stats.sessionBuckets].sort((x, y) => x.expiresAt - y.expiresAt)) {
        expiry[String(b.expiresAt)] = b.members.map((s) => BigInt.asIntN(64, s));
      }
      return { expiry_time_to_session_ids: expiry, session_id_to_ephemeral_paths: mapOfSessions(ctx.stats.ephemerals) };
    },
  },
  { names: ['environment', 'env', 'envi'], serverRequired: false, run: env },
  {
    names: ['hash'],
    serverRequired: true,
    run: (ctx) => ({ digests: ctx.stats.digestLog.map((d) => ({ zxid: d.zxid, digest: d.digest })) }),
  },
  { names: ['get_trace_mask', 'gtmk'], serverRequired: false, run: (ctx) => ({ tracemask: ctx.stats.traceMask }) },
  { names: ['initial_configuration', 'icfg'], serverRequired: true, run: (ctx) => ({ initial_configuration: ctx.initialConfiguration }) },
  { names: ['is_read_only', 'isro'], serverRequired: true, run: (ctx) => ({ read_only: ctx.stats.mode === 'read-only' }) },
  {
    names: ['last_snapshot', 'lsnp'],
    serverRequired: true,
    run: (ctx) => ({
      zxid: ctx.lastSnapshot ? ctx.lastSnapshot.zxid.toString(16) : hexLong(-1),
      timestamp: ctx.lastSnapshot ? ctx.lastSnapshot.timestamp : -1,
    }),
  },
  {
    names: ['leader', 'lead'],
    serverRequired: true,
    run: (ctx) => {
      if (ctx.role.mode === 'standalone') return { error: 'server is not initialized' };
      const leader = ctx.config.members.find((m) => m.id === ctx.role.leaderId);
      return {
        is_leader: ctx.role.mode === 'leader',
        leader_id: ctx.role.leaderId ?? -1,
        leader_ip: leader ? leader.host : '',
      };
    },
  },
  { names: ['monitor', 'mntr'], serverRequired: false, run: monitor },
  { names: ['observer_connection_stat_reset', 'orst'], serverRequired: true, run: () => ({}) },
  { names: ['ruok'], serverRequired: true, run: () => ({}) },
  { names: ['server_stats', 'srvr'], serverRequired: true, run: srvr },
  {
    names: ['stats', 'stat'],
    serverRequired: true,
    run: (ctx) => ({ ...srvr(ctx), connections: ctx.stats.connections.map((c) => connectionInfo(c, true)), secure_connections: [] }),
  },
  { names: ['stat_reset', 'srst'], serverRequired: true, action: 'resetServerStats', run: () => ({}) },
  // Coordinode keeps no trace mask to change (gtmk reports ZooKeeper's default): say so instead of pretending.
  { names: ['set_trace_mask', 'stmk'], serverRequired: false, run: (ctx) => ({ error: 'setting the trace mask is not supported by Coordinode', tracemask: ctx.stats.traceMask }) },
  // Java's system properties have no Node equivalent beyond what environment shows; the process environment
  // is never shown (it may hold secrets).
  {
    names: ['system_properties', 'sysp'],
    serverRequired: false,
    run: (ctx) => Object.fromEntries(Object.entries(env(ctx)).filter(([k]) => k !== 'zookeeper.version').sort(([a], [b]) => (a < b ? -1 : 1))),
  },
  { names: ['observers', 'obsr'], serverRequired: true, run: () => ({ synced_observers: 0, observers: [] }) },
  { names: ['voting_view'], serverRequired: true, run: (ctx) => ({ current_config: voterView(ctx) }) },
  { names: ['watches', 'wchc'], serverRequired: true, run: (ctx) => ({ session_id_to_watched_paths: mapOfSessions(ctx.stats.watches.bySession) }) },
  {
    names: ['watches_by_path', 'wchp'],
    serverRequired: true,
    run: (ctx) => {
      const out: Record<string, unknown> = {};
      for (const [path, sids] of ctx.stats.watches.byPath) out[path] = sids.map((s) => BigInt.asIntN(64, s));
      return { path_to_session_ids: out };
    },
  },
  {
    names: ['watch_summary', 'wchs'],
    serverRequired: true,
    run: (ctx) => {
      const w = ctx.stats.watches;
      return { num_connections: w.bySession.size, num_paths: w.byPath.size, num_total_watches: w.count };
    },
  },
  {
    names: ['zabstate'],
    serverRequired: false,
    run: (ctx) => {
      const r = ctx.role;
      if (r.mode === 'standalone') return { voting: false, zabstate: '' };
      const self = ctx.config.members.find((m) => m.id === r.serverId);
      const zxid = BigInt(ctx.stats.zxid);
      return {
        myid: r.serverId,
        is_leader: r.mode === 'leader',
        quorum_address: self ? `${self.host}:${self.quorumPort}` : '',
        election_address: self ? `${self.host}:${self.electionPort}` : '',
        client_address: `${ctx.config.host}:${ctx.stats.clientPort ?? ctx.config.port}`,
        voting: r.voting,
        last_zxid: `0x${zxid.toString(16)}`,
        zab_epoch: Number(zxid >> 32n),
        zab_counter: Number(zxid & 0xffffffffn),
        zabstate: r.zabState,
      };
    },
  },
];

const byName = new Map<string, Command>();
for (const c of commands) for (const n of c.names) byName.set(n, c);

/** The primary names, sorted, as `/commands` lists them. */
export const primaryCommandNames: readonly string[] = commands.map((c) => c.names[0]).sort();

export function findCommand(name: string): Command | undefined {
  return byName.get(name);
}

/**
 * The command's JSON body (`command`, `error`, then its keys), or null for an unknown name. `act`
 * performs the reset a command asks for before the answer is built.
 */
export function runCommand(name: string, ctx: () => CommandContext, act: (a: CommandAction) => void): Record<string, unknown> | null {
  const cmd = byName.get(name);
  if (!cmd) return null;
  const primary = cmd.names[0];
  const c = ctx();
  if (cmd.serverRequired && !c.stats.serving) return { command: primary, error: notServing };
  if (cmd.action) act(cmd.action);
  const body = cmd.run(c);
  const error = typeof body['error'] === 'string' ? body['error'] : null;
  const { error: _ignored, ...rest } = body;
  return { command: primary, error, ...rest };
}

/** JSON with 64-bit integers (session ids, bigint zxids) written as numbers, as Jackson writes Java longs. */
export function toJson(value: unknown): string {
  const marker = '\u0000big:';
  const text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${marker}${v.toString()}` : v), 2);
  return text.replace(/"\\u0000big:(-?\d+)"/g, '$1');
}
