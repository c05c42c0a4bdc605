/**
 * Test-only: the servers the client and recipe suites run against. Each suite file runs its tests once
 * per factory (describe.each), so the same assertions prove both servers.
 *
 * COORD_TEST_SERVERS=apache,coordinode picks them (default: both; coordinode only once its entry point
 * exists). Nothing is ever skipped: a missing Apache ZooKeeper fails the run (at once under CI=true).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { FaultProxy } from './proxy';
import type { ZkClient } from '../client';
import type { ClientPool } from './helpers';
import { join } from 'node:path';
import { assertApacheZooKeeperInstalled, spawnCoordinode, startApacheZooKeeper, tempDir, workspaceRoot, type RunningServer } from '@coord/testing';

export interface ServerFactory {
  name: string;
  start(): Promise<RunningServer>;
  /** A server that can be restarted on the same port with the same data directory. */
  startRestartable(): Promise<RestartableServer>;
}

export interface RestartableServer extends RunningServer {
  /**
   * Stops the server and starts it again with the same data. Clients reach it through a proxy on a
   * fixed port (`connectString`), so the server itself may come back on another port.
   */
  restart(): Promise<void>;
}

/**
 * Apache with a 200 ms tick so that sessions can be short (min 400 ms) and expiry is detected
 * within a tick: the expiry tests then take about a second, not a minute.
 */
const apacheSettings = { tickTime: '200', minSessionTimeout: '400', maxSessionTimeout: '30000' };

export const apacheFactory: ServerFactory = {
  name: 'apache',
  start: () => startApacheZooKeeper(apacheSettings),
  startRestartable: async () => {
    const data = await tempDir('apache-data-');
    return restartable(() => startApacheZooKeeper({ ...apacheSettings, dataDir: data.path }), () => data.remove());
  },
};

/** Runs `start()` behind a FaultProxy; restart() stops the server, starts it again and retargets the proxy. */
async function restartable(start: () => Promise<RunningServer>, cleanup: () => Promise<void>): Promise<RestartableServer> {
  let current = await start();
  const proxy = await new FaultProxy(current.host, current.port).start();
  return {
    name: current.name,
    host: '127.0.0.1',
    port: proxy.port,
    connectString: proxy.connectString,
    dataDir: current.dataDir,
    restart: async () => {
      await current.stop();
      proxy.drop();
      current = await start();
      proxy.retarget(current.host, current.port);
    },
    stop: async () => {
      await proxy.stop();
      await current.stop();
      await cleanup();
    },
  };
}

/** Our node with the same settings as the Apache one (short ticks, TTL nodes enabled). */
export const coordinodeFactory: ServerFactory = {
  name: 'coordinode',
  start: async () => {
    const dir = await tempDir('coordinode-cfg-');
    const node = await spawnCoordinode({ args: [`--config=${await coordinodeConfig(dir.path)}`] });
    return {
      ...node,
      stop: async () => {
        await node.stop();
        await dir.remove();
      },
    };
  },
  startRestartable: async () => {
    const dir = await tempDir('coordinode-cfg-');
    const args = [`--config=${await coordinodeConfig(dir.path)}`];
    const dataDir = join(dir.path, 'data');
    await mkdir(dataDir);
    return restartable(() => spawnCoordinode({ args, dataDir }), () => dir.remove());
  },
};

async function coordinodeConfig(dir: string): Promise<string> {
  const cfg = join(dir, 'zoo.cfg');
  await writeFile(cfg, ['tickTime=200', 'minSessionTimeout=400', 'maxSessionTimeout=30000', 'extendedTypesEnabled=true', ''].join('\n'));
  return cfg;
}

export function coordinodeAvailable(): boolean {
  return existsSync(join(workspaceRoot, 'apps/coord-node/src/main.ts'));
}

export function serverFactories(): ServerFactory[] {
  const wanted = (process.env['COORD_TEST_SERVERS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const names = wanted.length > 0 ? wanted : ['apache', ...(coordinodeAvailable() ? ['coordinode'] : [])];
  return names.map((n) => {
    if (n === 'apache') {
      if (process.env['CI'] === 'true') assertApacheZooKeeperInstalled();
      return apacheFactory;
    }
    if (n === 'coordinode') return coordinodeFactory;
    throw new Error(`unknown server ${n} in COORD_TEST_SERVERS`);
  });
}

/** serverFactories() as describe.each rows: `describe.each(serverCases())('... against %s', (_name, factory) => ...)`. */
export function serverCases(): [string, ServerFactory][] {
  return serverFactories().map((f) => [f.name, f]);
}

/** What each test of a suite gets from useServer(). */
export interface SuiteState {
  server: RunningServer;
  /** A client connected for this test (closed after it with the rest of the pool). */
  zk: ZkClient;
  /** A path no other test uses: `/<prefix><n>-<time>`. */
  base: string;
}

/**
 * The hooks every server suite shares: one server per describe block, and per test a connected client
 * from `pool`, a fresh base path (created when `createBase`), and every pooled client closed afterwards
 * (`beforeClose` runs first: the faults suite stops its proxy there so clients behind it close at once).
 * `set` receives each test's state; the suite keeps it in its own variables.
 */
export function useServer(
  factory: ServerFactory,
  pool: ClientPool,
  basePrefix: string,
  set: (state: SuiteState) => void,
  opts: { createBase?: boolean; beforeClose?: () => Promise<void> } = {},
): void {
  let server: RunningServer | undefined;
  let n = 0;
  beforeAll(async () => {
    server = await factory.start();
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    const zk = await pool.connect(server!.connectString);
    const base = `/${basePrefix}${++n}-${Date.now()}`;
    if (opts.createBase) await zk.create(base);
    set({ server: server!, zk, base });
  });
  afterEach(async () => {
    await opts.beforeClose?.();
    await pool.closeAll();
  });
}
