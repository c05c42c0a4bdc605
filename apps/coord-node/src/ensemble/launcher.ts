/**
 * `npx nx run coord-node:ensemble`: a local three-member ensemble on client ports 2181-2183 (or
 * --base-port N .. N+2), quorum ports base+700.. and election ports base+1700.. (2881/3881 for the
 * default base, next to ZooKeeper's customary 2888/3888). Members are child processes; Ctrl-C (or
 * SIGTERM) stops them all and exits. Flags: --base-port=N, --members=N, --data-dir=D (default: a
 * fresh temp dir), --log-level=debug (to follow one write through the ensemble).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEnsemble } from './local-ensemble';

const basePortDefault = 2181;
const membersDefault = 3;
const quorumPortOffset = 700;
const electionPortOffset = 1700;

function flag(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === `--${name}`) return argv[i + 1];
    if (a.startsWith(`--${name}=`)) return a.substring(name.length + 3);
  }
  return undefined;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).flatMap((a) => (a.startsWith('--args=') ? a.substring(7).split(/\s+/).filter(Boolean) : [a]));
  const base = Number(flag(argv, 'base-port') ?? basePortDefault);
  const count = Number(flag(argv, 'members') ?? membersDefault);
  if (!Number.isInteger(base) || base <= 0 || base + electionPortOffset + count > 65535) throw new Error(`bad --base-port ${base}`);
  if (!Number.isInteger(count) || count < 1) throw new Error(`bad --members ${count}`);
  const dataRoot = flag(argv, 'data-dir') ?? mkdtempSync(join(tmpdir(), 'coordinode-ensemble-'));
  const ports = Array.from({ length: count }, (_, i) => ({
    client: base + i,
    quorum: base + quorumPortOffset + i,
    election: base + electionPortOffset + i,
  }));
  const ensemble = new LocalEnsemble({
    ports,
    dataRoot,
    logLevel: flag(argv, 'log-level'),
    stderr: 'inherit',
    onStdout: (id, line) => process.stdout.write(`[member ${id}] ${line}\n`),
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`ensemble: ${signal}, stopping members\n`);
    await ensemble.stopAll();
    process.stdout.write('ensemble: stopped\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  try {
    await ensemble.startAll();
  } catch (e) {
    process.stderr.write(`ensemble: ${(e as Error).message}\n`);
    await ensemble.stopAll();
    process.exit(1);
  }
  process.stdout.write(`ensemble: ${count} members running (data in ${dataRoot})\n`);
  process.stdout.write(`ensemble: connect with ${ensemble.connectString}\n`);
}

main().catch((e) => {
  process.stderr.write(`ensemble failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
