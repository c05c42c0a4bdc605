import { numberFlag, parseFlags } from '../../distribute-server/src/config';

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

export function parseLockDemoConfig(argv: string[], env: NodeJS.ProcessEnv): LockDemoConfig {
  const { flags } = parseFlags(argv, ['backend', 'lock', 'scenario', 'workers', 'rounds', 'hold-ms', 'connect', 'redis-url', 'port']);
  const backend = flags.get('backend') ?? 'coord';
  if (backend !== 'coord' && backend !== 'redis') throw new Error(`--backend must be coord or redis, got "${backend}"`);
  const lock = flags.get('lock') ?? 'recipe';
  if (lock !== 'recipe' && lock !== 'herd') throw new Error(`--lock must be recipe or herd, got "${lock}"`);
  const scenario = flags.get('scenario') ?? 'contention';
  if (scenario !== 'contention' && scenario !== 'pause') throw new Error(`--scenario must be contention or pause, got "${scenario}"`);
  const workers = numberFlag(flags, 'workers', workersDefault);
  if (workers < 1 || workers > workersMax || !Number.isInteger(workers)) throw new Error(`--workers must be an integer in [1, ${workersMax}]`);
  return {
    backend,
    lock,
    scenario,
    workers,
    rounds: Math.max(1, Math.floor(numberFlag(flags, 'rounds', roundsDefault))),
    holdMs: numberFlag(flags, 'hold-ms', holdMsDefault),
    connectString: flags.get('connect') ?? env['COORD_CONNECT'],
    redisUrl: flags.get('redis-url') ?? env['REDIS_URL'],
    port: numberFlag(flags, 'port', 0),
  };
}
