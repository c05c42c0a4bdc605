import { spawnCoordinode, startApacheZooKeeper, startCoordinodeFollower, type RunningServer } from '@coord/testing';

/**
 * The servers every interop scenario runs against: Apache ZooKeeper (the reference, from Debian's
 * `zookeeper` package), our standalone node as a real process, and a follower of a three-member
 * Coordinode ensemble (clients talk to the follower only, so every write travels to the leader and back
 * as a commit). All start on free loopback ports with the same settings: every four-letter word allowed,
 * extended types (TTL nodes) on, ZooKeeper's default tickTime (so negotiated session timeouts agree).
 */
export const serverKinds = ['apache', 'coordinode', 'coordinode-follower'] as const;
export type ServerKind = (typeof serverKinds)[number];
/** The targets compared with the reference (Apache ZooKeeper). */
export const oursKinds = serverKinds.filter((k) => k !== 'apache');

export const sharedConfig = { '4lw.commands.whitelist': '*', extendedTypesEnabled: 'true', tickTime: '2000' };

export function startServer(kind: ServerKind): Promise<RunningServer> {
  switch (kind) {
    case 'apache':
      return startApacheZooKeeper(sharedConfig);
    case 'coordinode':
      return spawnCoordinode({ config: sharedConfig });
    case 'coordinode-follower':
      return startCoordinodeFollower(sharedConfig);
  }
}
