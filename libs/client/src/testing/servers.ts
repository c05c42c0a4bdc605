/**
 * Test-only: the servers the client and recipe suites run against. Each suite file runs its tests once
 * per factory (describe.each), so the same assertions prove both servers.
 *
 * COORD_TEST_SERVERS=apache,coordinode picks them (default: apache, plus coordinode when its entry point
 * exists). Under CI=true a missing Apache ZooKeeper fails the run instead of being skipped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assertApacheZooKeeperInstalled, spawnCoordinode, startApacheZooKeeper, workspaceRoot, type RunningServer } from '@coord/testing';

export interface ServerFactory {
  name: string;
  /** Whether the server implements 3.9-only features (persistent watch types in removeWatches). */
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

export const coordinodeFactory: ServerFactory = {
  name: 'coordinode',
  start: () => spawnCoordinode({ args: ['--tick-time=200'] }),
};

export function coordinodeAvailable(): boolean {
  return existsSync(join(workspaceRoot, 'apps/coord-node/src/main.ts'));
}

export function serverFactories(): ServerFactory[] {
  const wanted = (process.env['COORD_TEST_SERVERS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const names = wanted.length > 0 ? wanted : ['apache', ...(coordinodeAvailable() && process.env['COORD_TEST_COORDINODE'] === '1' ? ['coordinode'] : [])];
  return names.map((n) => {
    if (n === 'apache') {
      if (process.env['CI'] === 'true') assertApacheZooKeeperInstalled();
      return apacheFactory;
    }
    if (n === 'coordinode') return coordinodeFactory;
    throw new Error(`unknown server ${n} in COORD_TEST_SERVERS`);
  });
}
