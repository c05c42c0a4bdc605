/**
 * Test helpers for real-process ensembles: free loopback ports, a LocalEnsemble in a temp dir, who
 * leads (from `srvr`), and waiting for a condition with a deadline.
 */
import type { ZkClient } from '@coord/client';
import { freePort, fourLetterWord, tempDir } from '@coord/testing';
import { EnsemblePorts, LocalEnsemble, LocalEnsembleOptions } from '../ensemble/local-ensemble';

/** Attempts of one create before a test gives up (a loaded machine may cause an election or two). */
const createAttemptsMax = 50;
/** Pause between attempts (ms). */
const createRetryMs = 50;

/**
 * Creates `path`, retrying on connection loss and timeouts as a careful client must: an attempt whose
 * outcome was unknown may have committed, so NODEEXISTS on a retry counts as success (tests use
 * paths no one else writes).
 */
export async function createSurely(zk: ZkClient, path: string, data: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await zk.create(path, data, { timeoutMs: 5000 });
      return;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (attempt > 1 && code === 'NODEEXISTS') return;
      if ((e as { retryable?: boolean }).retryable !== true || attempt >= createAttemptsMax) throw e;
      await new Promise((r) => setTimeout(r, createRetryMs));
    }
  }
}

/** How often a waiting test polls (ms). */
const pollMs = 50;

export async function startTestEnsemble(
  members = 3,
  settings: Record<string, string> = {},
  logLevel = process.env.ENSEMBLE_LOG_LEVEL,
  extra: Partial<LocalEnsembleOptions> = {},
): Promise<{ ensemble: LocalEnsemble; remove(): Promise<void> }> {
  const dir = await tempDir('coordinode-ensemble-');
  const ports = extra.ports ?? (await freeEnsemblePorts(members));
  const ensemble = new LocalEnsemble({ ports, dataRoot: dir.path, settings, stderr: 'pipe', logLevel, ...extra });
  try {
    await ensemble.startAll();
  } catch (e) {
    await ensemble.stopAll();
    await dir.remove();
    throw e;
  }
  return {
    ensemble,
    remove: async () => {
      await ensemble.stopAll();
      await dir.remove();
    },
  };
}

export async function freeEnsemblePorts(members: number): Promise<EnsemblePorts[]> {
  const ports: EnsemblePorts[] = [];
  for (let i = 0; i < members; i++) ports.push({ client: await freePort(), quorum: await freePort(), election: await freePort() });
  return ports;
}

export async function waitFor<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** `Mode:` from srvr, or undefined when the member is not serving (or down). */
export async function modeOf(ensemble: LocalEnsemble, id: number): Promise<string | undefined> {
  const text = await fourLetterWord('127.0.0.1', ensemble.member(id).ports.client, 'srvr', 1000);
  return /Mode: (\w+)/.exec(text)?.[1];
}

/** The id of the one serving leader with every other running member following it. */
export async function waitForLeader(ensemble: LocalEnsemble, deadlineMs: number, running = ensemble.members.map((m) => m.id)): Promise<number> {
  return waitFor('a leader and followers', deadlineMs, async () => {
    const modes = await Promise.all(running.map((id) => modeOf(ensemble, id).catch(() => undefined)));
    const leaders = running.filter((_, i) => modes[i] === 'leader');
    const followers = modes.filter((m) => m === 'follower').length;
    return leaders.length === 1 && followers === running.length - 1 ? leaders[0] : undefined;
  });
}
