/**
 * Test-only: the servers the client and recipe suites run against. Each suite file runs its tests once
 * per factory (describe.each), so the same assertions prove both servers.
 *
 * COORD_TEST_SERVERS=apache,coordinode picks them (default: both; coordinode only once its entry point
 * exists). Nothing is ever skipped: a missing Apache ZooKeeper fails the run (at once under CI=true).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertApacheZooKeeperInstalled, spawnCoordinode, startApacheZooKeeper, tempDir, workspaceRoot, type RunningServer } from '@coord/testing';

export interface ServerFactory {
  name: string;
  start(): Promise<RunningServer>;
}

/**
 * Apache with a 200 ms tick so that sessions can be short (min 400 ms) and expiry is detected
 * within a tick: the expiry tests then take about a second, not a minute.
 */
export const apacheFactory: ServerFactory = {
  name: 'apache',
  start: () => startApacheZooKeeper({ tickTime: '200', minSessionTimeout: '400', maxSessionTimeout: '30000' }),
};

/** Our node with the same settings as the Apache one (short ticks, TTL nodes enabled). */
export const coordinodeFactory: ServerFactory = {
  name: 'coordinode',
  start: async () => {
    const dir = await tempDir('coordinode-cfg-');
    const cfg = join(dir.path, 'zoo.cfg');
    await writeFile(cfg, ['tickTime=200', 'minSessionTimeout=400', 'maxSessionTimeout=30000', 'extendedTypesEnabled=true', ''].join('\n'));
    const node = await spawnCoordinode({ args: [`--config=${cfg}`] });
    return {
      ...node,
      stop: async () => {
        await node.stop();
        await dir.remove();
      },
    };
  },
};

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
