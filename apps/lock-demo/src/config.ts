import { Command, integerIn, Option, parseStrict, portNumber } from '@coord/cli';

export interface LockDemoConfig {
  backend: 'coord' | 'redis';
  /** Our lock as the recipe does it, or the naive herd version for comparison. */
  lock: 'recipe' | 'herd';
  scenario: 'contention' | 'pause';
  workers: number;
  /** Acquisitions per worker. */
  rounds: number;
  holdMs: number;
  /** Unset: start an embedded node. */
  connectString?: string;
  redisUrl?: string;
  /** Port of the embedded node (0 = free). */
  port: number;
}

export const workersDefault = 5;
export const roundsDefault = 6;
/** Long enough to watch the holder and the queue change (6 x 5 acquisitions take about 8 s). */
export const holdMsDefault = 250;
/** Bounds so that a typo cannot start a million sessions. */
export const workersMax = 200;
export const roundsMax = 100_000;
export const holdMsMax = 60_000;

/** The command line of `lock-demo` (commander). */
export function lockDemoProgram(env: NodeJS.ProcessEnv): Command {
  return new Command('lock-demo')
    .description('N workers, each with its own session, contend for one lock; a live view on a terminal, a report at the end.')
    .helpOption('-h, --help', 'show this help and exit')
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .addOption(new Option('--backend <name>', 'coord: our lock; redis: a SET NX PX lock (in-process ioredis-mock unless --redis-url)').choices(['coord', 'redis']).default('coord'))
    .addOption(new Option('--lock <kind>', 'recipe: the fair mutex of @coord/recipes; herd: every waiter watches all children').choices(['recipe', 'herd']).default('recipe'))
    .addOption(new Option('--scenario <name>', 'contention: N workers; pause: a paused holder outlives its lease, Redis vs fencing').choices(['contention', 'pause']).default('contention'))
    .addOption(new Option('--workers <n>', 'workers (sessions) contending').argParser(integerIn(1, workersMax)).default(workersDefault))
    .addOption(new Option('--rounds <n>', 'acquisitions per worker').argParser(integerIn(1, roundsMax)).default(roundsDefault))
    .addOption(new Option('--hold-ms <ms>', 'how long a holder keeps the lock').argParser(integerIn(0, holdMsMax, ' ms')).default(holdMsDefault))
    .addOption(new Option('--connect <host:port,...[/chroot]>', 'use this coordination service (default: $COORD_CONNECT, else an embedded node)'))
    .addOption(new Option('--redis-url <url>', 'a real Redis (default: $REDIS_URL, else in-process ioredis-mock)'))
    .addOption(new Option('--port <port>', 'port of the embedded node, 0 for any free port').argParser(portNumber).default(0));
}

/** Throws HelpRequested or UsageError (from @coord/cli) when the command line asks for help or is wrong. */
export function parseLockDemoConfig(argv: string[], env: NodeJS.ProcessEnv): LockDemoConfig {
  const program = lockDemoProgram(env);
  parseStrict(program, argv);
  const o = program.opts<{
    backend: LockDemoConfig['backend'];
    lock: LockDemoConfig['lock'];
    scenario: LockDemoConfig['scenario'];
    workers: number;
    rounds: number;
    holdMs: number;
    connect?: string;
    redisUrl?: string;
    port: number;
  }>();
  return {
    backend: o.backend,
    lock: o.lock,
    scenario: o.scenario,
    workers: o.workers,
    rounds: o.rounds,
    holdMs: o.holdMs,
    connectString: o.connect ?? (env['COORD_CONNECT'] || undefined),
    redisUrl: o.redisUrl ?? (env['REDIS_URL'] || undefined),
    port: o.port,
  };
}
