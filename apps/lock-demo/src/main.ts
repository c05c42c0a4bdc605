/**
 * `npx nx run lock-demo:serve` — N workers contend for one lock; a live view on a terminal, a report at
 * the end. No setup: without --connect / COORD_CONNECT it starts an embedded node.
 *   --backend=redis        the same contention on a Redis SET NX PX lock (ioredis-mock unless --redis-url)
 *   --lock=herd            our node, but a naive lock where every waiter watches all children (herd effect)
 *   --scenario=pause       a paused holder outlives its lease: Redis vs our lock with fencing, side by side
 */
import { announcePid, exitOnUsage, stopOnce } from '@coord/cli';
import { startEmbeddedNode } from '@coord/demo';
import { unreachableMessage } from '@coord/nest';
import { coordBackend } from './coord-backend';
import { parseLockDemoConfig, type LockDemoConfig } from './config';
import { runContention } from './contention';
import { formatReport } from './metrics';
import { formatEvent, runPauseScenario, scenarioHeader } from './pause-scenario';
import { checkRedis, redisBackend } from './redis-backend';
import { createView } from './view';
import { createClient } from '@coord/client';

const print = (line: string) => process.stdout.write(line + '\n');

/** Fails fast with the usual hint when a configured node does not answer. */
async function checkReachable(connectString: string): Promise<void> {
  const zk = createClient(connectString);
  try {
    await zk.connect({ timeoutMs: 3_000 });
  } catch {
    throw new Error(unreachableMessage(connectString).replace('; still retrying', ''));
  } finally {
    await zk.close();
  }
}

export async function runLockDemo(config: LockDemoConfig): Promise<number> {
  const needsNode = config.backend === 'coord' || config.scenario === 'pause';
  let embedded: Awaited<ReturnType<typeof startEmbeddedNode>> | undefined;
  let connectString = config.connectString;
  if (needsNode && !connectString) {
    embedded = await startEmbeddedNode(config.port);
    connectString = embedded.connectString;
    print(`embedded coordination node on ${connectString} (pass --connect or set COORD_CONNECT to use your own)`);
  } else if (needsNode) {
    await checkReachable(connectString!);
  }
  try {
    if (config.redisUrl && (config.backend === 'redis' || config.scenario === 'pause')) await checkRedis(config.redisUrl);
    if (config.scenario === 'pause') {
      for (const line of scenarioHeader()) print(line);
      const outcome = await runPauseScenario({ connectString: connectString!, redisUrl: config.redisUrl, onEvent: (e) => print(formatEvent(e)) });
      print('');
      print(`Redis:      ${outcome.redis.holdersAtOnce} holders at once; the stale write was ${outcome.redis.staleWriteAccepted ? 'ACCEPTED (B\'s update is lost)' : 'rejected'}`);
      print(
        `ZK lock:    token ${outcome.coord.tokenA} (A) < ${outcome.coord.tokenB} (B); the stale write was ${outcome.coord.staleWriteAccepted ? 'ACCEPTED' : 'REJECTED'}; storage keeps "${outcome.coord.finalValue}"`,
      );
      return outcome.redis.staleWriteAccepted && !outcome.coord.staleWriteAccepted ? 0 : 1;
    }
    const backend = config.backend === 'redis' ? redisBackend({ url: config.redisUrl }) : coordBackend(connectString!, { herd: config.lock === 'herd', lockDir: config.lock === 'herd' ? '/locks/lock-demo-herd' : undefined });
    print(`${config.workers} workers x ${config.rounds} acquisitions, hold ${config.holdMs} ms, on ${backend.description}`);
    const view = createView(process.stdout, backend.queued);
    let last = null;
    try {
      const report = await runContention(backend, { workers: config.workers, rounds: config.rounds, holdMs: config.holdMs }, (s) => {
        last = s;
        view.update(s);
      });
      view.finish(last);
      print('');
      for (const line of formatReport(report)) print(line);
      return report.overlaps === 0 && report.counter === report.acquisitions ? 0 : 1;
    } finally {
      await backend.close();
    }
  } finally {
    await embedded?.close();
  }
}

async function main(): Promise<void> {
  let config: LockDemoConfig;
  try {
    config = parseLockDemoConfig(process.argv.slice(2), process.env);
  } catch (err) {
    exitOnUsage('lock-demo', err);
    throw err;
  }
  announcePid('lock-demo');
  // The run ends by itself; stopping it early (Ctrl-C, kill, its launcher gone) ends the sessions with the process.
  stopOnce((reason) => process.exit(reason === 'SIGINT' ? 130 : 143));
  process.exitCode = await runLockDemo(config);
}

if (require.main === module) {
  main()
    .then(() => process.exit(process.exitCode ?? 0))
    .catch((err: unknown) => {
      process.stderr.write(`lock-demo: ${(err as Error).message}\n`);
      process.exit(1);
    });
}
