import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, tempDir } from './ports';
import { fourLetterWord } from './four-letter';
import { spawnCoordinode, type SpawnedNode } from './coordinode';
import type { RunningServer } from './apache-zookeeper';

/** How long a fresh ensemble may take to elect a leader with every other member following it (ms). */
export const ensembleElectionDeadlineMs = 60_000;
/** Pause between two rounds of `srvr` while waiting for the election (ms). */
const electionPollMs = 100;
/** One `srvr` to one member; a member still starting may not answer at once (ms). */
const srvrTimeoutMs = 2_000;

/**
 * zoo.cfg settings an ensemble needs beyond the caller's: ZooKeeper's own defaults for the quorum
 * timeouts (initLimit and syncLimit in ticks), so a loaded test machine does not lose its leader.
 */
export const ensembleConfigDefault: Readonly<Record<string, string>> = { tickTime: '2000', initLimit: '10', syncLimit: '5' };

export interface EnsembleMemberProcess extends SpawnedNode {
  /** The member's id (its `myid` and `server.N`). */
  id: number;
  quorumPort: number;
  electionPort: number;
}

export interface CoordinodeEnsemble {
  members: EnsembleMemberProcess[];
  /** host:port,host:port,... of every member's client port. */
  connectString: string;
  /** `Mode:` from each member's `srvr` (leader, follower), undefined for a member not serving. */
  modes(): Promise<Array<string | undefined>>;
  /** Resolves once exactly one member leads and every other member follows it. */
  waitForLeader(deadlineMs?: number): Promise<EnsembleMemberProcess>;
  /** A member whose `srvr` says `Mode: follower` (the first one found, by id). */
  follower(): Promise<EnsembleMemberProcess>;
  /** Stops every member (SIGTERM, then SIGKILL, by PID) and removes their data dirs. */
  stop(): Promise<void>;
}

/** `Mode:` from one member's `srvr`, or undefined while it is not serving (or not answering). */
export async function serverMode(host: string, port: number): Promise<string | undefined> {
  try {
    return /^Mode: (\w+)/m.exec(await fourLetterWord(host, port, 'srvr', srvrTimeoutMs))?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Starts a Coordinode ensemble of real member processes on loopback, the way an operator would: each
 * member has its own data dir with a `myid` file and a zoo.cfg holding the caller's settings and the
 * same `server.N=127.0.0.1:quorumPort:electionPort` lines (free ports). Client ports are chosen by the
 * kernel. Resolves once one member leads and the others follow it.
 */
type EnsembleOptions = { size?: number; config?: Record<string, string>; env?: NodeJS.ProcessEnv; deadlineMs?: number };

/** Fresh ports and another try when a port picked for a member was taken before the member bound it. */
const portRaceAttemptsMax = 3;

export async function startCoordinodeEnsemble(opts: EnsembleOptions = {}): Promise<CoordinodeEnsemble> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEnsembleOnce(opts);
    } catch (err) {
      // freePort hands out a port that is free now; an outgoing connection elsewhere on the machine may take
      // it before the member binds it. The failed start has stopped its members and removed its directory.
      if (attempt >= portRaceAttemptsMax || !/address already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function startEnsembleOnce(opts: EnsembleOptions): Promise<CoordinodeEnsemble> {
  const size = opts.size ?? 3;
  if (!Number.isInteger(size) || size < 1) throw new Error(`an ensemble needs at least one member, not ${size}`);
  const host = '127.0.0.1';
  const root = await tempDir('coordinode-ensemble-');
  const peers: Array<{ id: number; quorum: number; election: number }> = [];
  for (let id = 1; id <= size; id++) peers.push({ id, quorum: await freePort(host), election: await freePort(host) });
  const config: Record<string, string> = { ...ensembleConfigDefault, ...opts.config };
  for (const p of peers) config[`server.${p.id}`] = `${host}:${p.quorum}:${p.election}`;

  const members: EnsembleMemberProcess[] = [];
  const stop = async () => {
    await Promise.all(members.map((m) => m.stop()));
    await root.remove();
  };
  try {
    const started = await Promise.allSettled(
      peers.map(async (p) => {
        const dataDir = join(root.path, `member-${p.id}`);
        await mkdir(dataDir, { recursive: true });
        await writeFile(join(dataDir, 'myid'), `${p.id}\n`);
        const node = await spawnCoordinode({ dataDir, config, env: opts.env });
        const member: EnsembleMemberProcess = Object.assign(node, { name: `coordinode-${p.id}`, id: p.id, quorumPort: p.quorum, electionPort: p.election });
        members.push(member);
        return member;
      }),
    );
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    members.sort((a, b) => a.id - b.id);
  } catch (err) {
    await stop();
    throw err;
  }

  const modes = () => Promise.all(members.map((m) => serverMode(m.host, m.port)));
  const waitForLeader = async (deadlineMs = opts.deadlineMs ?? ensembleElectionDeadlineMs) => {
    const until = Date.now() + deadlineMs;
    let last: Array<string | undefined> = [];
    while (Date.now() < until) {
      last = await modes();
      const leaders = members.filter((_, i) => last[i] === 'leader');
      if (leaders.length === 1 && last.filter((m) => m === 'follower').length === members.length - 1) return leaders[0];
      await new Promise((r) => setTimeout(r, electionPollMs));
    }
    const logs = members.map((m) => `--- member ${m.id} (${last[m.id - 1] ?? 'not serving'}):\n${m.log().slice(-2000)}`).join('\n');
    throw new Error(`no leader with ${members.length - 1} followers within ${deadlineMs} ms (modes: ${last.join(', ')})\n${logs}`);
  };
  const follower = async () => {
    const now = await modes();
    const found = members.find((_, i) => now[i] === 'follower');
    if (!found) throw new Error(`no member is following (modes: ${now.join(', ')})`);
    return found;
  };
  const ensemble: CoordinodeEnsemble = {
    members,
    connectString: members.map((m) => m.connectString).join(','),
    modes,
    waitForLeader,
    follower,
    stop,
  };
  try {
    await waitForLeader();
  } catch (err) {
    await stop();
    throw err;
  }
  return ensemble;
}

/**
 * A follower of a fresh three-member Coordinode ensemble, as one server: clients connect to the follower
 * only (so every write is forwarded to the leader and comes back as a commit), and `stop()` stops the
 * whole ensemble. `ensemble` is there for tests that look at the other members.
 */
export async function startCoordinodeFollower(
  config: Record<string, string> = {},
): Promise<RunningServer & { ensemble: CoordinodeEnsemble; member: EnsembleMemberProcess }> {
  const ensemble = await startCoordinodeEnsemble({ size: 3, config });
  try {
    const member = await ensemble.follower();
    return {
      name: 'coordinode-follower',
      host: member.host,
      port: member.port,
      connectString: member.connectString,
      pid: member.pid,
      dataDir: member.dataDir,
      ensemble,
      member,
      stop: ensemble.stop,
    };
  } catch (err) {
    await ensemble.stop();
    throw err;
  }
}
