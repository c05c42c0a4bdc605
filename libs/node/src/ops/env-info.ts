/**
 * What `envi` and `mntr` report about the process and host. EnvInfo is plain data so the 4lw
 * formatter stays pure; collectEnvInfo is the one place that asks Node and /proc for it.
 * The java.* keys of ZooKeeper's Environment carry the Node equivalents (java.version = Node's version).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getHeapStatistics } from 'node:v8';

export interface EnvInfo {
  /** host.name: canonical host name. */
  hostName: string;
  /** java.version: the Node version without the `v`. */
  runtimeVersion: string;
  /** java.vendor. */
  runtimeVendor: string;
  /** java.home: directory of the runtime executable. */
  runtimeHome: string;
  /** java.class.path: Node's module search path, `:`-joined. */
  classPath: string;
  /** java.library.path. */
  libraryPath: string;
  /** java.io.tmpdir. */
  tmpDir: string;
  /** os.name (`Linux`), os.arch (Java spelling: `amd64`, `aarch64`), os.version (kernel release). */
  osName: string;
  osArch: string;
  osVersion: string;
  userName: string;
  userHome: string;
  /** user.dir: the working directory. */
  userDir: string;
  /** os.memory.free / max / total in bytes (JVM heap figures; we give the V8 heap's). */
  memoryFreeBytes: number;
  memoryMaxBytes: number;
  memoryTotalBytes: number;
  /** Open and maximum file descriptors (mntr); undefined where unknown, and then not printed. */
  openFileDescriptorCount?: number;
  maxFileDescriptorCount?: number;
}

/** Node's os.arch() names mapped to the JVM's os.arch names. */
const javaArchNames: Record<string, string> = { x64: 'amd64', ia32: 'x86', arm64: 'aarch64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

function countOpenFileDescriptors(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

function maxFileDescriptors(): number | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const line = /^Max open files\s+(\d+)/m.exec(limits);
    return line ? Number(line[1]) : undefined;
  } catch {
    return undefined;
  }
}

function safeUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? '?';
  }
}

/** Reads the current process and host. Call per `envi`/`mntr` (cheap: a few syscalls). */
export function collectEnvInfo(): EnvInfo {
  const mem = process.memoryUsage();
  const heap = getHeapStatistics();
  return {
    hostName: os.hostname(),
    runtimeVersion: process.versions.node,
    runtimeVendor: 'Node.js',
    runtimeHome: path.dirname(process.execPath),
    classPath: (module.paths ?? []).join(':'),
    libraryPath: process.env.LD_LIBRARY_PATH ?? '',
    tmpDir: os.tmpdir(),
    osName: os.type(),
    osArch: javaArchNames[os.arch()] ?? os.arch(),
    osVersion: os.release(),
    userName: safeUserName(),
    userHome: os.homedir(),
    userDir: process.cwd(),
    memoryFreeBytes: Math.max(mem.heapTotal - mem.heapUsed, 0),
    memoryMaxBytes: heap.heap_size_limit,
    memoryTotalBytes: mem.heapTotal,
    openFileDescriptorCount: countOpenFileDescriptors(),
    maxFileDescriptorCount: maxFileDescriptors(),
  };
}
