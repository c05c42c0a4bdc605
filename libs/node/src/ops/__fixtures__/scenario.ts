/**
 * The situations captured from Apache ZooKeeper 3.8.0 (see capture-apache-4lw.js), rebuilt as
 * ServerStats: a busy server with two sessions (timeouts 30 s and 10 s), two ephemerals, three
 * data watches and one child watch, plus the connection asking the four-letter word; and a fresh one.
 */
import { loadNodeConfig, NodeConfig } from '../config';
import type { EnvInfo } from '../env-info';
import { runFourLetterWord } from '../four-letter-words';
import { formatZooKeeperVersion } from '../java-format';
import { emptyServerStats, type ConnectionStats, type ServerStats } from '@coord/server';

export const version = formatZooKeeperVersion('3.9.3-coordinode', Date.UTC(2026, 10, 25, 2, 37));
export const now = Date.UTC(2026, 10, 25, 3, 0, 0);
export const sessionA = 0x100000655ee0000n; // timeout 30 s; watches /missing and /app; owns /app/eph
export const sessionB = 0x100000655ee0001n; // timeout 10 s; watches /app; owns /eph2

export const env: EnvInfo = {
  hostName: 'localhost',
  runtimeVersion: '20.20.2',
  runtimeVendor: 'Node.js',
  runtimeHome: '/usr/bin',
  classPath: '/work/node_modules',
  libraryPath: '',
  tmpDir: '/tmp',
  osName: 'Linux',
  osArch: 'amd64',
  osVersion: '6.1.0',
  userName: 'zk',
  userHome: '/home/zk',
  userDir: '/srv/coord',
  memoryFreeBytes: 15 * 1024 * 1024 + 5,
  memoryMaxBytes: 4144 * 1024 * 1024,
  memoryTotalBytes: 33 * 1024 * 1024,
  openFileDescriptorCount: 21,
  maxFileDescriptorCount: 20000,
};

export function sessionConnection(port: number, sessionId: bigint, over: Partial<ConnectionStats>): ConnectionStats {
  return {
    remoteAddress: '127.0.0.1', remotePort: port, interestOps: 1, queued: 0, received: 4, sent: 4, sessionId,
    lastOp: 'GETD', established: now - 5000, timeout: 30000, lastCxid: 2, lastZxid: 5, lastResponse: 415403,
    lastLatency: 1, minLatency: 0, avgLatency: 1, maxLatency: 2, ...over,
  };
}

export const connA = sessionConnection(35684, sessionA, { lastOp: 'EXIS', lastCxid: 3, received: 5, sent: 5, maxLatency: 17, avgLatency: 7 });
export const connB = sessionConnection(35700, sessionB, { lastOp: 'GETC', timeout: 10000 });
export const fourLetterConnection: ConnectionStats = { remoteAddress: '127.0.0.1', remotePort: 35796, interestOps: 0, queued: 0, received: 1, sent: 0 };

export function busyStats(): ServerStats {
  return {
    ...emptyServerStats(version),
    latency: { minMs: 0, maxMs: 17, totalMs: 40, count: 9 },
    packetsReceived: 14,
    packetsSent: 13,
    connections: [connB, connA, fourLetterConnection],
    zxid: 5,
    nodeCount: 8,
    watches: {
      bySession: new Map([[sessionB, ['/app']], [sessionA, ['/missing', '/app']]]),
      byPath: new Map([['/missing', [sessionA]], ['/app', [sessionB, sessionA]]]),
      count: 3,
      childCount: 1,
    },
    sessionBuckets: [{ expiresAt: now + 30000, members: [sessionA] }, { expiresAt: now + 10000, members: [sessionB] }],
    ephemerals: new Map([[sessionA, ['/app/eph']], [sessionB, ['/eph2']]]),
    ephemeralsCount: 2,
    connectionBuckets: [{ expiresAt: now + 10000, members: [connB, fourLetterConnection] }, { expiresAt: now + 30000, members: [connA] }],
    approximateDataSize: 63,
    uptimeMs: 12065,
    globalSessions: 2,
    dataDirSizeBytes: 67109337,
    dataLogDirSizeBytes: 67109337,
    lastClientResponseSize: 95,
    minClientResponseSize: 16,
    maxClientResponseSize: 95,
  };
}

export function freshStats(): ServerStats {
  const s = emptyServerStats(version);
  s.connections = [fourLetterConnection];
  s.packetsReceived = 1;
  s.connectionBuckets = [{ expiresAt: now + 10000, members: [fourLetterConnection] }];
  return s;
}

export function configWith(whitelist: string, extra = ''): NodeConfig {
  const cfg = `tickTime=2000\ndataDir=/tmp/zk/data\nclientPort=46361\n${whitelist}\n${extra}`;
  return loadNodeConfig(['--config=zoo.cfg'], {}, (p) => {
    if (p !== 'zoo.cfg') throw new Error(`ENOENT ${p}`);
    return cfg;
  }).config;
}
export const allWords = configWith('4lw.commands.whitelist=*');
export const run = (word: string, stats: ServerStats = busyStats(), config: NodeConfig = allWords) => runFourLetterWord(word, stats, config, env);
