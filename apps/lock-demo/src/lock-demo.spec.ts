/** The lock demo against real servers: our node (embedded, over TCP), Apache ZooKeeper, ioredis-mock. */
import { startEmbeddedNode } from '@coord/demo';
import { freePort, startApacheZooKeeper, type RunningServer } from '@coord/testing';
import { coordBackend } from './coord-backend';
import { runContention } from './contention';
import { runPauseScenario, wakeUpText, type ScenarioEvent } from './pause-scenario';
import { redisBackend } from './redis-backend';
import { runLockDemo } from './main';

jest.setTimeout(60_000);

describe('lock-demo', () => {
  let node: { connectString: string; close(): Promise<void> };
  beforeAll(async () => {
    node = await startEmbeddedNode();
  });
  afterAll(async () => {
    await node.close();
  });

  it('our lock: zero overlaps, exact counter, FIFO, at most one wake-up per acquisition', async () => {
    const backend = coordBackend(node.connectString, { lockDir: '/locks/spec-contention' });
    const states: number[] = [];
    const report = await runContention(backend, { workers: 4, rounds: 6, holdMs: 3 }, (s) => states.push(s.waiting.length));
    await backend.close();
    expect(report.acquisitions).toBe(24);
    expect(report.counter).toBe(24);
    expect(report.overlaps).toBe(0);
    expect(report.maxHolders).toBe(1);
    expect(report.wakeUpsMaxPerAcquisition).toBe(1);
    expect(report.wakeUpsPerAcquisition).toBeLessThanOrEqual(1);
    // Every acquisition after the first waited for exactly one predecessor in this saturated run.
    expect(report.wakeUpsPerAcquisition).toBeGreaterThan(0.5);
    // FIFO in the order requests reach the server: only the first, simultaneous requests may race there.
    expect(report.fairness.inversions).toBeLessThanOrEqual((4 * 3) / 2);
    expect(report.handoffSamples).toBeGreaterThan(0);
    expect(Math.max(...states)).toBeGreaterThan(1); // workers really queued
  });

  it('the naive lock that watches all children wakes every waiter on each release (herd effect)', async () => {
    const backend = coordBackend(node.connectString, { lockDir: '/locks/spec-herd', herd: true });
    const report = await runContention(backend, { workers: 4, rounds: 6, holdMs: 3 });
    await backend.close();
    expect(report.counter).toBe(24);
    expect(report.overlaps).toBe(0);
    expect(report.wakeUpsMaxPerAcquisition).toBeGreaterThan(1);
    expect(report.wakeUpsPerAcquisition).toBeGreaterThan(1.5);
    // The mean and the maximum come from the same per-acquisition samples.
    expect(report.wakeUpsPerAcquisition).toBeLessThanOrEqual(report.wakeUpsMaxPerAcquisition);
  });

  it('Redis SET NX PX lock (ioredis-mock): also exclusive without pauses, but polls and is not FIFO', async () => {
    const backend = redisBackend();
    const report = await runContention(backend, { workers: 4, rounds: 6, holdMs: 3 });
    await backend.close();
    expect(report.counter).toBe(24);
    expect(report.overlaps).toBe(0);
    expect(report.wakeUpLabel).toBe('polls (no watches)');
    expect(report.wakeUpsPerAcquisition).toBeGreaterThan(1);
    expect(report.wakeUpsPerAcquisition).toBeLessThanOrEqual(report.wakeUpsMaxPerAcquisition);
    // Every acquisition is accounted for: handoffs, re-acquisitions by the releaser, late askers, the first.
    expect(report.handoffSamples + report.reacquiredBySelf).toBeLessThanOrEqual(report.acquisitions - 1);
  });

  it('pause scenario: two holders and a lost update on Redis; the fencing token stops the stale write on ours', async () => {
    const events: ScenarioEvent[] = [];
    const outcome = await runPauseScenario({ connectString: node.connectString, onEvent: (e) => events.push(e) });
    expect(outcome.redis.holdersAtOnce).toBe(2);
    expect(outcome.redis.staleWriteAccepted).toBe(true);
    expect(outcome.redis.finalValue).toBe('written by A (stale)');
    expect(outcome.coord.tokenB).toBeGreaterThan(outcome.coord.tokenA);
    expect(outcome.coord.staleWriteAccepted).toBe(false);
    expect(outcome.coord.rejection).toBe(`token ${outcome.coord.tokenA} < ${outcome.coord.tokenB} already seen`);
    expect(outcome.coord.finalValue).toBe('written by B');
    expect(outcome.coord.aSessionLost).toBe(true);
    // B took over only after A's session expired, i.e. while A was paused.
    const bAcquired = events.find((e) => e.side === 'coord' && e.text.includes('B acquires'))!;
    expect(bAcquired.atMs).toBeLessThan(outcome.pauseMs + 500);
    // A's wake-up is told once, from what its handle showed: never "lost" and "still holds" together.
    const coordTexts = events.filter((e) => e.side === 'coord').map((e) => e.text);
    expect(coordTexts.filter((t) => t.startsWith('A wakes up'))).toEqual([wakeUpText(true, outcome.coord.tokenA)]);
    expect(coordTexts.join('\n')).not.toMatch(/still think/);
  });

  it('the whole demo runs with an embedded node and exits 0 (what `nx run lock-demo:serve` does)', async () => {
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const code = await runLockDemo({ backend: 'coord', lock: 'recipe', scenario: 'contention', workers: 3, rounds: 4, holdMs: 2, port: 0 });
      expect(code).toBe(0);
    } finally {
      write.mockRestore();
    }
    const text = lines.join('');
    expect(text).toMatch(/embedded coordination node on 127\.0\.0\.1:\d+/);
    expect(text).toContain('mutual exclusion       counter 12/12, overlaps 0, most holders at once 1 -> OK');
    expect(text).toMatch(/watch wake-ups\s+[\d.]+ per acquisition \(max 1 for one acquisition\)/);
  });
});

describe('lock-demo errors', () => {
  it('a configured node that does not answer is reported with the address and how to start one', async () => {
    const port = await freePort();
    await expect(runLockDemo({ backend: 'coord', lock: 'recipe', scenario: 'contention', workers: 2, rounds: 1, holdMs: 1, port: 0, connectString: `127.0.0.1:${port}` })).rejects.toThrow(
      `cannot reach the coordination service at 127.0.0.1:${port}. Start one with: npx nx run coord-node:serve`,
    );
  });

  it('a Redis URL that does not answer is reported in one line', async () => {
    const port = await freePort();
    await expect(runLockDemo({ backend: 'redis', lock: 'recipe', scenario: 'contention', workers: 2, rounds: 1, holdMs: 1, port: 0, redisUrl: `redis://127.0.0.1:${port}` })).rejects.toThrow(
      `cannot reach Redis at redis://127.0.0.1:${port}`,
    );
  });
});

describe('lock-demo against Apache ZooKeeper', () => {
  let zk: RunningServer;
  beforeAll(async () => {
    zk = await startApacheZooKeeper();
  });
  afterAll(async () => {
    await zk.stop();
  });

  it('our lock recipe behaves the same on the reference server', async () => {
    const backend = coordBackend(zk.connectString, { lockDir: '/locks/spec-apache' });
    const report = await runContention(backend, { workers: 3, rounds: 5, holdMs: 2 });
    await backend.close();
    expect(report.counter).toBe(15);
    expect(report.overlaps).toBe(0);
    expect(report.wakeUpsMaxPerAcquisition).toBe(1);
    expect(report.fairness.inversions).toBeLessThanOrEqual((3 * 2) / 2);
  });
});
