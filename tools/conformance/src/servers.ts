import { spawnCoordinode, startApacheZooKeeper, type RunningServer } from '@coord/testing';

/**
 * The two servers every interop scenario runs against: Apache ZooKeeper (the reference, from Debian's
 * `zookeeper` package) and our node as a real process. Both start on free loopback ports with the same
 * settings: every four-letter word allowed, extended types (TTL nodes) on.
 */
export const serverKinds = ['apache', 'coordinode'] as const;
export type ServerKind = (typeof serverKinds)[number];

export const sharedConfig = { '4lw.commands.whitelist': '*', extendedTypesEnabled: 'true', tickTime: '2000' };

export function startServer(kind: ServerKind): Promise<RunningServer> {
  return kind === 'apache' ? startApacheZooKeeper(sharedConfig) : spawnCoordinode({ config: sharedConfig });
}
