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

/** A target and every process behind it (one, or each ensemble member): hostile input must kill none. */
export interface ConformanceServer extends RunningServer {
  kind: ServerKind;
  pids: number[];
  /** The ensemble's other members (where a session may move to); empty for a standalone server. */
  otherMembers: Array<{ host: string; port: number }>;
}

export async function startServer(kind: ServerKind): Promise<ConformanceServer> {
  switch (kind) {
    case 'apache': {
      const server = await startApacheZooKeeper(sharedConfig);
      return { ...server, kind, pids: [server.pid!], otherMembers: [] };
    }
    case 'coordinode': {
      const server = await spawnCoordinode({ config: sharedConfig });
      return { ...server, kind, pids: [server.pid!], otherMembers: [] };
    }
    case 'coordinode-follower': {
      const server = await startCoordinodeFollower(sharedConfig);
      const members = server.ensemble.members;
      return { ...server, kind, pids: members.map((m) => m.pid!), otherMembers: members.filter((m) => m.id !== server.member.id) };
    }
  }
}

/** True while the process exists (signal 0 checks without sending anything). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
