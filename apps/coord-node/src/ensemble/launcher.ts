/**
 * `npx nx run coord-node:ensemble`: a local three-member ensemble on client ports 2181-2183 (or
 * --base-port N .. N+2), quorum ports base+700.. and election ports base+1700.. (2881/3881 for the
 * default base, next to ZooKeeper's customary 2888/3888). Members are child processes; every line they
 * print is prefixed with `[member N leader|follower|looking]`, the role taken from the member's own log.
 * The launcher prints each member's pid and the command that runs it, reports a member that exits, and
 * reads commands on stdin: `status`, `restart N`, `stop N`, `kill N`, `help`. Ctrl-C (or SIGTERM) stops
 * them all, removes the temp data dir it created, and exits. Flags: --base-port=N, --members=N,
 * --data-dir=D (kept; default: a fresh temp dir, removed on exit), --log-level=debug (to follow one
 * write through the ensemble).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LocalEnsemble, memberPrefix, roleFromLogLine, shellCommand, type MemberRole } from '@coord/node';

const basePortDefault = 2181;
const membersDefault = 3;
const quorumPortOffset = 700;
const electionPortOffset = 1700;
/** The members' AdminServer (web console) ports: base + 5900 (8081.. for the default 2181). */
const adminPortOffset = 5900;

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
  if (!Number.isInteger(base) || base <= 0 || base + Math.max(electionPortOffset, adminPortOffset) + count > 65535) throw new Error(`bad --base-port ${base}`);
  if (!Number.isInteger(count) || count < 1) throw new Error(`bad --members ${count}`);
  const givenDataDir = flag(argv, 'data-dir');
  const dataRoot = givenDataDir ?? mkdtempSync(join(tmpdir(), 'coordinode-ensemble-'));
  const ports = Array.from({ length: count }, (_, i) => ({
    client: base + i,
    quorum: base + quorumPortOffset + i,
    election: base + electionPortOffset + i,
    // AdminServer and web console: 8081, 8082, 8083 for the default base 2181.
    admin: base + adminPortOffset + i,
  }));
  const say = (line: string) => process.stdout.write(`ensemble: ${line}\n`);
  const roles = new Map<number, MemberRole>();
  const memberLine = (id: number, line: string) => {
    const role = roleFromLogLine(line);
    if (role) roles.set(id, role);
    process.stdout.write(`${memberPrefix(id, roles.get(id) ?? 'looking')} ${line}\n`);
  };
  let stopping = false;
  /** Members being stopped or restarted on request: their exit is expected and said differently. */
  const expected = new Set<number>();
  const ensemble = new LocalEnsemble({
    ports,
    dataRoot,
    logLevel: flag(argv, 'log-level'),
    onStdout: memberLine,
    onStderr: memberLine,
    onExit: (id, pid, code, signal) => {
      roles.set(id, 'looking');
      if (stopping) return;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (expected.delete(id)) say(`member ${id} (pid ${pid}) stopped (${how}); type "restart ${id}" to start it again`);
      else say(`member ${id} (pid ${pid}) EXITED on its own (${how}); type "restart ${id}" to start it again`);
    },
  });
  const status = () => {
    for (const m of ensemble.members) {
      const alive = m.child !== null && m.child.exitCode === null && m.child.signalCode === null;
      say(
        `member ${m.id}: ${alive ? `pid ${m.child!.pid}, ${roles.get(m.id) ?? 'looking'}` : 'not running'}, client port ${m.ports.client}, console http://127.0.0.1:${m.ports.admin}/, data ${m.dataDir}\n` +
          `ensemble:   run it by hand: ${shellCommand(ensemble.memberArgs(m.id))}`,
      );
    }
  };
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}, stopping members`);
    await ensemble.stopAll();
    if (!givenDataDir) {
      rmSync(dataRoot, { recursive: true, force: true });
      say(`removed the temp data dir ${dataRoot}`);
    }
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // However the launcher ends (its terminal closed, a runner killing it), no member and no temp dir stays behind.
  process.stdout.on('error', () => undefined);
  process.on('exit', () => {
    for (const m of ensemble.members) if (m.child && m.child.exitCode === null && m.child.signalCode === null) m.child.kill('SIGKILL');
    if (!givenDataDir) rmSync(dataRoot, { recursive: true, force: true });
  });
  process.on('SIGHUP', () => void stop('SIGHUP'));
  try {
    await ensemble.startAll();
  } catch (e) {
    process.stderr.write(`ensemble: ${(e as Error).message}\n`);
    stopping = true;
    await ensemble.stopAll();
    if (!givenDataDir) rmSync(dataRoot, { recursive: true, force: true });
    process.exit(1);
  }
  say(`${count} members running (data in ${dataRoot}${givenDataDir ? '' : ', removed on exit'})`);
  // The status is more useful once the first election is over; it is printed anyway after rolesWaitMs.
  const until = Date.now() + rolesWaitMs;
  while (Date.now() < until && ensemble.members.some((m) => (roles.get(m.id) ?? 'looking') === 'looking')) await new Promise((r) => setTimeout(r, 50));
  status();
  say(`connect with ${ensemble.connectString}`);
  say(commandsHelp);
  listenForCommands(ensemble, { say, status, expected, stop });
}

/** How long the launcher waits for the first election before printing each member's role (ms). */
const rolesWaitMs = 5_000;

const commandsHelp = 'commands: status | restart N | stop N | kill N (-9) | help; Ctrl-C stops everything';

/** Commands typed on the launcher's stdin; nothing happens when stdin is closed (e.g. under a CI runner). */
function listenForCommands(
  ensemble: LocalEnsemble,
  io: { say(line: string): void; status(): void; expected: Set<number>; stop(signal: string): Promise<void> },
): void {
  const rl = createInterface({ input: process.stdin, terminal: false });
  rl.on('line', (raw) => void run(raw.trim()));
  const run = async (line: string) => {
    if (line === '') return;
    const [word, arg] = line.split(/\s+/);
    const id = Number(arg);
    const known = ensemble.members.some((m) => m.id === id);
    try {
      if (word === 'status') io.status();
      else if (word === 'help') io.say(commandsHelp);
      else if (word === 'quit' || word === 'exit') await io.stop(word);
      else if (['restart', 'stop', 'kill'].includes(word) && !known) io.say(`no member "${arg ?? ''}": members are 1..${ensemble.members.length}`);
      else if (word === 'stop' || word === 'kill') {
        io.expected.add(id);
        await (word === 'stop' ? ensemble.stop(id) : ensemble.kill(id));
      } else if (word === 'restart') {
        const m = ensemble.member(id);
        if (m.child) {
          io.expected.add(id);
          await ensemble.stop(id);
        }
        await ensemble.start(id);
        io.say(`member ${id} restarted (pid ${m.child?.pid})`);
      } else io.say(`unknown command "${line}"; ${commandsHelp}`);
    } catch (e) {
      io.say(`${word} ${arg}: ${(e as Error).message.split('\n')[0]}`);
    }
  };
}

main().catch((e) => {
  process.stderr.write(`ensemble failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
