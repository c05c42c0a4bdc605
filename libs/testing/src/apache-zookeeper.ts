import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, tempDir } from './ports';
import { waitForServing } from './four-letter';
import { stopProcess } from './process';

/** Where Debian's `zookeeper` package puts the server jar (with its dependencies on the manifest class path). */
export const apacheZooKeeperJar = process.env['COORD_ZK_JAR'] ?? '/usr/share/java/zookeeper.jar';
export const apacheZooKeeperConfDir = process.env['COORD_ZK_CONF_DIR'] ?? '/etc/zookeeper/conf';
export const apacheZkCli = process.env['COORD_ZKCLI'] ?? '/usr/share/zookeeper/bin/zkCli.sh';
export const apacheCliMt = process.env['COORD_CLI_MT'] ?? '/usr/lib/zookeeper/bin/cli_mt';
const startDeadlineMs = 30_000;

export interface RunningServer {
  name: string;
  host: string;
  port: number;
  connectString: string;
  pid?: number;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Fails loudly when the reference server is missing. The interop suites must never pass by skipping:
 * `.ci/run` installs Debian's `zookeeper` package, and a developer gets the command to type.
 */
export function assertApacheZooKeeperInstalled(): void {
  if (!existsSync(apacheZooKeeperJar)) {
    throw new Error(
      `Apache ZooKeeper (the reference server) is not installed: ${apacheZooKeeperJar} is missing. ` +
        'Install it with: sudo apt-get install -y zookeeper zookeeper-bin default-jre-headless',
    );
  }
}

/**
 * Starts a standalone Apache ZooKeeper on a free loopback port with a temporary data dir (zoo.cfg keys
 * in `extraConfig` override, `dataDir` and `clientPort` included). `startDeadlineMs`: how long it may
 * take to serve (loading a million znodes takes it half a minute here).
 */
export async function startApacheZooKeeper(
  extraConfig: Record<string, string> = {},
  jvmFlags: string[] = [],
  options: { startDeadlineMs?: number } = {},
): Promise<RunningServer> {
  assertApacheZooKeeperInstalled();
  const host = extraConfig['clientPortAddress'] ?? '127.0.0.1';
  // A caller may pin the port (to restart a server on the same address); otherwise pick a free one.
  const port = extraConfig['clientPort'] ? Number(extraConfig['clientPort']) : await freePort(host);
  const dir = await tempDir('apache-zk-');
  const config: Record<string, string> = {
    tickTime: '2000',
    dataDir: join(dir.path, 'data'),
    clientPort: String(port),
    clientPortAddress: host,
    maxClientCnxns: '0',
    '4lw.commands.whitelist': '*',
    'admin.enableServer': 'false',
    extendedTypesEnabled: 'true',
    ...extraConfig,
  };
  config['clientPort'] = String(port);
  const cfgPath = join(dir.path, 'zoo.cfg');
  await writeFile(cfgPath, Object.entries(config).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const logFd = openSync(join(dir.path, 'server.log'), 'a');
  const child: ChildProcess = spawn(
    'java',
    [
      '-cp',
      `${apacheZooKeeperConfDir}:${apacheZooKeeperJar}`,
      `-Dzookeeper.log.dir=${dir.path}`,
      '-Dzookeeper.root.logger=INFO,CONSOLE',
      // System properties as zkServer.sh passes SERVER_JVMFLAGS (a JAAS file for SASL, for instance).
      ...jvmFlags,
      'org.apache.zookeeper.server.ZooKeeperServerMain',
      cfgPath,
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  const stop = async () => {
    await stopProcess(child);
    await dir.remove();
  };
  try {
    await waitForServing(host, port, options.startDeadlineMs ?? startDeadlineMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { name: 'apache', host, port, connectString: `${host}:${port}`, pid: child.pid, dataDir: config['dataDir'], stop };
}

export interface RunningEnsemble {
  members: RunningServer[];
  connectString: string;
  stop(): Promise<void>;
}

/**
 * Starts a three-member (or `size`) Apache ZooKeeper ensemble on loopback: one QuorumPeerMain process per
 * member, each with its own data dir, myid file, client port and quorum/election ports.
 */
export async function startApacheEnsemble(size = 3, extraConfig: Record<string, string> = {}): Promise<RunningEnsemble> {
  assertApacheZooKeeperInstalled();
  const host = '127.0.0.1';
  const ports: Array<{ client: number; quorum: number; election: number }> = [];
  for (let i = 0; i < size; i++) ports.push({ client: await freePort(host), quorum: await freePort(host), election: await freePort(host) });
  const serverLines = ports.map((p, i) => `server.${i + 1}=${host}:${p.quorum}:${p.election}`);
  const members: RunningServer[] = [];
  const children: ChildProcess[] = [];
  const dirs: Array<{ remove(): Promise<void> }> = [];
  for (let i = 0; i < size; i++) {
    const dir = await tempDir(`apache-zk-${i + 1}-`);
    dirs.push(dir);
    const dataDir = join(dir.path, 'data');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'myid'), `${i + 1}\n`);
    const config: Record<string, string> = {
      tickTime: '2000',
      initLimit: '10',
      syncLimit: '5',
      dataDir,
      clientPort: String(ports[i].client),
      clientPortAddress: host,
      maxClientCnxns: '0',
      '4lw.commands.whitelist': '*',
      'admin.enableServer': 'false',
      ...extraConfig,
    };
    const cfgPath = join(dir.path, 'zoo.cfg');
    await writeFile(cfgPath, [...Object.entries(config).map(([k, v]) => `${k}=${v}`), ...serverLines].join('\n') + '\n');
    const logFd = openSync(join(dir.path, 'server.log'), 'a');
    const child = spawn(
      'java',
      ['-cp', `${apacheZooKeeperConfDir}:${apacheZooKeeperJar}`, `-Dzookeeper.log.dir=${dir.path}`, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfgPath],
      { stdio: ['ignore', logFd, logFd] },
    );
    closeSync(logFd);
    children.push(child);
    members.push({
      name: `apache-${i + 1}`,
      host,
      port: ports[i].client,
      connectString: `${host}:${ports[i].client}`,
      pid: child.pid,
      dataDir,
      stop: () => stopProcess(child),
    });
  }
  const stop = async () => {
    await Promise.all(children.map((c) => stopProcess(c)));
    await Promise.all(dirs.map((d) => d.remove()));
  };
  try {
    await Promise.all(members.map((m) => waitForServing(m.host, m.port, startDeadlineMs)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { members, connectString: members.map((m) => m.connectString).join(','), stop };
}
