/**
 * Four-letter words: the text ZooKeeper 3.8 writes for each, reproduced from a ServerStats snapshot.
 * Pure: the server decides a connection is a 4lw (first 4 bytes, before the handshake), performs
 * the side effect of srst/crst/stmk (see fourLetterWordAction), calls runFourLetterWord, writes the
 * text and closes the connection. Formats were checked against __fixtures__/apache-3.8.0.
 */
import { resolve as resolvePath } from 'node:path';
import type { ConnectionStats, ExpiryBucket, ServerStats } from '@coord/server';
import type { NodeConfig } from './config';
import type { EnvInfo } from './env-info';
import { averageForDisplay, hexLong, javaDateString, javaDouble, javaSocketAddress } from './java-format';
import { knownFourLetterWords } from './zoo-cfg';

export type FourLetterWord = (typeof knownFourLetterWords)[number];

/** What a server that is not (yet) serving answers to most words. */
export const notServingText = 'This ZooKeeper instance is not currently serving requests\n';
const bytesPerMegabyte = 1024 * 1024;

export function isFourLetterWord(word: string): word is FourLetterWord {
  return (knownFourLetterWords as readonly string[]).includes(word);
}

/** The whitelist rule: `*` enables every word, and `srvr` is always enabled (ZooKeeper adds it). */
export function isFourLetterWordEnabled(word: string, whitelist: readonly string[]): boolean {
  if (!isFourLetterWord(word)) return false;
  return word === 'srvr' || whitelist.includes('*') || whitelist.includes(word);
}

/**
 * The state change a word asks of the server before its text is produced: srst resets the server
 * stats (latency, packet counts), crst every connection's stats, stmk sets the trace mask from the
 * 8-byte long that follows it. Undefined when the word is not enabled or changes nothing.
 */
export function fourLetterWordAction(word: string, config: Pick<NodeConfig, 'fourLetterWhitelist'>): 'resetServerStats' | 'resetConnectionStats' | 'setTraceMask' | undefined {
  if (!isFourLetterWordEnabled(word, config.fourLetterWhitelist)) return undefined;
  if (word === 'srst') return 'resetServerStats';
  if (word === 'crst') return 'resetConnectionStats';
  if (word === 'stmk') return 'setTraceMask';
  return undefined;
}

function versionLines(stats: ServerStats): string {
  const readOnly = stats.mode === 'read-only' ? 'READ-ONLY mode; serving only read-only clients\n' : '';
  return `Zookeeper version: ${stats.version}\n${readOnly}`;
}

/** ServerStats.toString plus the node count (and a leader's proposal sizes), as srvr and stat end. */
function serverStatsLines(stats: ServerStats): string {
  const l = stats.latency;
  let text =
    `Latency min/avg/max: ${l.minMs}/${javaDouble(averageForDisplay(l.totalMs, l.count))}/${l.maxMs}\n` +
    `Received: ${stats.packetsReceived}\n` +
    `Sent: ${stats.packetsSent}\n` +
    `Connections: ${stats.connections.length}\n` +
    `Outstanding: ${stats.outstanding}\n` +
    `Zxid: 0x${hexLong(stats.zxid)}\n` +
    `Mode: ${stats.mode}\n` +
    `Node count: ${stats.nodeCount}\n`;
  if (stats.mode === 'leader' && stats.leader) {
    const p = stats.leader;
    text += `Proposal sizes last/min/max: ${p.proposalSizeLast}/${p.proposalSizeMin}/${p.proposalSizeMax}\n`;
  }
  return text;
}

/** ServerCnxn.dumpConnectionInfo: the brief form for stat, the full form for cons. */
export function connectionLine(c: ConnectionStats, brief: boolean): string {
  let text = ` ${javaSocketAddress(c.remoteAddress, c.remotePort)}[${c.interestOps.toString(16)}](queued=${c.queued},recved=${c.received},sent=${c.sent}`;
  if (!brief && c.sessionId !== undefined && c.sessionId !== 0n) {
    text += `,sid=0x${hexLong(c.sessionId)},lop=${c.lastOp ?? 'NA'},est=${c.established ?? 0},to=${c.timeout ?? 0}`;
    if (c.lastCxid !== undefined && c.lastCxid >= 0) text += `,lcxid=0x${hexLong(c.lastCxid)}`;
    text += `,lzxid=0x${hexLong(c.lastZxid ?? -1)},lresp=${c.lastResponse ?? 0},llat=${c.lastLatency ?? 0}`;
    text += `,minlat=${c.minLatency ?? 0},avglat=${c.avgLatency ?? 0},maxlat=${c.maxLatency ?? 0}`;
  }
  return `${text})\n`;
}

function stat(stats: ServerStats): string {
  const clients = stats.connections.map((c) => connectionLine(c, true)).join('');
  return `${versionLines(stats)}Clients:\n${clients}\n${serverStatsLines(stats)}`;
}

function cons(stats: ServerStats): string {
  return `${stats.connections.map((c) => connectionLine(c, false)).join('')}\n`;
}

function conf(config: NodeConfig, stats: ServerStats, env: EnvInfo): string {
  // ZooKeeper prints absolute snapshot and log directories with its `version-2` layout suffix.
  const dir = (d: string | undefined) => (d === undefined ? '' : `${resolvePath(env.userDir, d)}/version-2`);
  let text =
    `clientPort=${stats.clientPort ?? config.port}\nsecureClientPort=-1\n` +
    `dataDir=${dir(config.dataDir)}\ndataDirSize=${stats.dataDirSizeBytes}\n` +
    `dataLogDir=${dir(config.dataLogDir)}\ndataLogSize=${stats.dataLogDirSizeBytes}\n` +
    `tickTime=${config.tickTime}\nmaxClientCnxns=${config.maxClientCnxns}\n` +
    `minSessionTimeout=${config.minSessionTimeout}\nmaxSessionTimeout=${config.maxSessionTimeout}\n` +
    `clientPortListenBacklog=-1\nserverId=${config.serverId}\n`;
  if (stats.mode !== 'standalone' && config.members.length > 0) text += quorumConf(config);
  return text;
}

/** QuorumZooKeeperServer.dumpConf's additions (not yet checked against a real ensemble). */
function quorumConf(config: NodeConfig): string {
  const self = config.members.find((m) => m.id === config.serverId);
  let text =
    `initLimit=${config.initLimit ?? 0}\nsyncLimit=${config.syncLimit ?? 0}\nelectionAlg=3\n` +
    `electionPort=${self?.electionPort ?? -1}\nquorumPort=${self?.quorumPort ?? -1}\n` +
    `peerType=${self?.role === 'observer' ? 1 : 0}\nmembership: \n`;
  for (const m of config.members) {
    const client = m.clientPort === undefined ? '' : `;${m.clientHost ?? '0.0.0.0'}:${m.clientPort}`;
    text += `server.${m.id}=${m.host}:${m.quorumPort}:${m.electionPort}:${m.role}${client}\n`;
  }
  return `${text}version=0\n`;
}

function megabytes(bytes: number): string {
  return `${Math.floor(bytes / bytesPerMegabyte)}MB`;
}

function envi(stats: ServerStats, env: EnvInfo): string {
  const entries: [string, string][] = [
    ['zookeeper.version', stats.version],
    ['host.name', env.hostName],
    ['java.version', env.runtimeVersion],
    ['java.vendor', env.runtimeVendor],
    ['java.home', env.runtimeHome],
    ['java.class.path', env.classPath],
    ['java.library.path', env.libraryPath],
    ['java.io.tmpdir', env.tmpDir],
    ['java.compiler', '<NA>'],
    ['os.name', env.osName],
    ['os.arch', env.osArch],
    ['os.version', env.osVersion],
    ['user.name', env.userName],
    ['user.home', env.userHome],
    ['user.dir', env.userDir],
    ['os.memory.free', megabytes(env.memoryFreeBytes)],
    ['os.memory.max', megabytes(env.memoryMaxBytes)],
    ['os.memory.total', megabytes(env.memoryTotalBytes)],
  ];
  return `Environment:\n${entries.map(([k, v]) => `${k}=${v}\n`).join('')}`;
}

function wchs(stats: ServerStats): string {
  const w = stats.watches;
  return `${w.bySession.size} connections watching ${w.byPath.size} paths\nTotal watches:${w.count}\n`;
}

function wchc(stats: ServerStats): string {
  let text = '';
  for (const [sessionId, paths] of stats.watches.bySession) {
    text += `0x${hexLong(sessionId)}\n${paths.map((p) => `\t${p}\n`).join('')}`;
  }
  return `${text}\n`;
}

function wchp(stats: ServerStats): string {
  let text = '';
  for (const [path, sessions] of stats.watches.byPath) {
    text += `${path}\n${sessions.map((s) => `\t0x${hexLong(s)}\n`).join('')}`;
  }
  return `${text}\n`;
}

/** ExpiryQueue.dump: bucket count / member count, then buckets by time with their members. */
function expiryDump<T>(buckets: ExpiryBucket<T>[], show: (member: T) => string): string {
  const total = buckets.reduce((n, b) => n + b.members.length, 0);
  let text = `Sets (${buckets.length})/(${total}):\n`;
  for (const b of [...buckets].sort((x, y) => x.expiresAt - y.expiresAt)) {
    text += `${b.members.length} expire at ${javaDateString(b.expiresAt)}:\n${b.members.map((m) => `\t${show(m)}\n`).join('')}`;
  }
  return text;
}

function dump(stats: ServerStats): string {
  let text = `SessionTracker dump:\nSession ${expiryDump(stats.sessionBuckets, (sid) => `0x${hexLong(sid)}`)}`;
  text += `ephemeral nodes dump:\nSessions with Ephemerals (${stats.ephemerals.size}):\n`;
  for (const [sessionId, paths] of stats.ephemerals) {
    text += `0x${hexLong(sessionId)}:\n${paths.map((p) => `\t${p}\n`).join('')}`;
  }
  const connection = (c: ConnectionStats) => `ip: ${javaSocketAddress(c.remoteAddress, c.remotePort)} sessionId: 0x${hexLong(c.sessionId ?? 0n)}`;
  return `${text}Connections dump:\nConnections ${expiryDump(stats.connectionBuckets, connection)}`;
}

/** mntr's key/value pairs in our fixed order (Apache prints the first two first, the rest in hash order). */
export function monitorValues(stats: ServerStats, env: EnvInfo): [string, string][] {
  const l = stats.latency;
  const values: [string, string | number][] = [
    ['version', stats.version],
    ['server_state', stats.mode],
    ['ephemerals_count', stats.ephemeralsCount],
    ['num_alive_connections', stats.connections.length],
    ['avg_latency', javaDouble(averageForDisplay(l.totalMs, l.count))],
    ['outstanding_requests', stats.outstanding],
    ['znode_count', stats.nodeCount],
    ['global_sessions', stats.globalSessions],
    ['non_mtls_remote_conn_count', 0],
    ['last_client_response_size', stats.lastClientResponseSize],
    ['packets_sent', stats.packetsSent],
    ['packets_received', stats.packetsReceived],
    ['max_client_response_size', stats.maxClientResponseSize],
    ['connection_drop_probability', javaDouble(0)],
    ['watch_count', stats.watches.count + stats.watches.childCount],
    ['auth_failed_count', stats.authFailedCount],
    ['min_latency', l.minMs],
  ];
  if (env.maxFileDescriptorCount !== undefined) values.push(['max_file_descriptor_count', env.maxFileDescriptorCount]);
  values.push(['approximate_data_size', stats.approximateDataSize]);
  if (env.openFileDescriptorCount !== undefined) values.push(['open_file_descriptor_count', env.openFileDescriptorCount]);
  values.push(
    ['local_sessions', stats.localSessions],
    ['uptime', stats.uptimeMs],
    ['max_latency', l.maxMs],
    ['outstanding_tls_handshake', 0],
    ['min_client_response_size', stats.minClientResponseSize],
    ['non_mtls_local_conn_count', 0],
  );
  if (stats.mode === 'leader' && stats.leader) {
    const p = stats.leader;
    values.push(
      ['learners', p.learners],
      ['synced_followers', p.syncedFollowers],
      ['synced_non_voting_followers', p.syncedNonVotingFollowers],
      ['synced_observers', p.syncedObservers],
      ['pending_syncs', p.pendingSyncs],
      ['last_proposal_size', p.proposalSizeLast],
      ['max_proposal_size', p.proposalSizeMax],
      ['min_proposal_size', p.proposalSizeMin],
    );
  }
  for (const [k, v] of stats.extraMonitorValues ?? []) values.push([k, javaNumber(v)]);
  return values.map(([k, v]) => [`zk_${k}`, String(v)]);
}

/** An integer prints as a Java long, anything else as a Java double (`0.5`, `2.0`). */
function javaNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : javaDouble(v);
}

function mntr(stats: ServerStats, env: EnvInfo): string {
  return monitorValues(stats, env)
    .map(([k, v]) => `${k}\t${v}\n`)
    .join('');
}

function hash(stats: ServerStats): string {
  return stats.digestLog.map((d) => `${hexLong(d.zxid)}: ${d.digest}\n`).join('');
}

/** Words that answer even when the server is not serving (everything else prints notServingText). */
const answerWhenNotServing = new Set(['ruok', 'isro', 'envi', 'gtmk', 'stmk']);

/**
 * The text ZooKeeper writes for `word`. A known word outside the whitelist gets ZooKeeper's refusal
 * line; an unknown word gets '' (ZooKeeper reads it as a frame length and closes silently).
 */
export function runFourLetterWord(word: string, stats: ServerStats, config: NodeConfig, env: EnvInfo): string {
  if (!isFourLetterWord(word)) return '';
  if (!isFourLetterWordEnabled(word, config.fourLetterWhitelist)) return `${word} is not executed because it is not in the whitelist.\n`;
  if (!stats.serving && !answerWhenNotServing.has(word)) return notServingText;
  switch (word) {
    case 'ruok': return 'imok';
    case 'isro': return !stats.serving ? 'null' : stats.mode === 'read-only' ? 'ro' : 'rw';
    case 'srvr': return versionLines(stats) + serverStatsLines(stats);
    case 'stat': return stat(stats);
    case 'cons': return cons(stats);
    case 'conf': return conf(config, stats, env);
    case 'envi': return envi(stats, env);
    case 'mntr': return mntr(stats, env);
    case 'wchs': return wchs(stats);
    case 'wchc': return wchc(stats);
    case 'wchp': return wchp(stats);
    case 'dump': return dump(stats);
    case 'dirs': return `datadir_size: ${stats.dataDirSizeBytes}\nlogdir_size: ${stats.dataLogDirSizeBytes}\n`;
    case 'gtmk':
    case 'stmk': return String(stats.traceMask);
    case 'crst': return 'Connection stats reset.\n';
    case 'srst': return 'Server stats reset.\n';
    case 'hash': return hash(stats);
  }
}
