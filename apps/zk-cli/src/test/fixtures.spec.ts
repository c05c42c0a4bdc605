/**
 * Recorded zkCli.sh sessions (fixtures/<name>.cmds, captured from zkCli.sh 3.8.0 with piped stdin on a
 * fresh Apache ZooKeeper 3.8.0 with extended types; see fixtures/README.md) replayed through our CLI on a
 * fresh server of each kind. stdout and stderr must equal zkCli's, byte for byte, with times and session
 * ids masked. The scripts cover every command family, errors, deprecated forms, quoting, watches,
 * history/redo, close/connect and printwatches.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgv } from '../lib/argv';
import { mask, runMain, serverLaunchers } from './harness';

const fixtureDir = join(__dirname, 'fixtures');
const read = (name: string, ext: string) => readFileSync(join(fixtureDir, `${name}.${ext}`), 'utf8');

/**
 * Fixture -> servers it runs against. `quotas` needs the server to maintain `zookeeper_stats`, which
 * Coordinode does not do yet (reported to the lead), so it runs against Apache ZooKeeper only.
 */
const fixtureServers: Record<string, string[]> = {
  mixed: ['apache', 'coordinode'],
  'shell-commands': ['apache', 'coordinode'],
  quotas: ['apache'],
};

/**
 * Where Coordinode (the server, not this CLI) still answers differently from Apache ZooKeeper 3.8.0;
 * both sides are normalized so the rest of the session is still compared exactly. Reported to the lead:
 * - whoAmI lists the connection's `ip` id before ids added by addauth (Apache: addauth ids first);
 * - `/zookeeper/config` has aclVersion 0 (Apache: -1).
 */
const serverDifferences: Record<string, (text: string) => string> = {
  coordinode: (text) =>
    text
      .replace(/(Auth scheme: User\n)((?:[a-z]+: .*\n)+)/g, (_m, head: string, ids: string) => head + ids.split('\n').filter(Boolean).sort().join('\n') + '\n')
      .replace(/(pZxid = 0x0\ncversion = 0\ndataVersion = 0\n)aclVersion = -1\n/g, '$1aclVersion = 0\n'),
};

describe.each(serverLaunchers)('recorded zkCli sessions against %s', (name, launch) => {
  const normalize = serverDifferences[name] ?? ((t: string) => t);
  const fixtures = Object.keys(fixtureServers).filter((f) => fixtureServers[f].includes(name));
  it.each(fixtures)('%s', async (fixture) => {
    const server = await launch();
    try {
      const placeholder = /@SERVER@/g;
      const script = read(fixture, 'cmds').replace(placeholder, server.connectString);
      const { out, exitCode } = await runMain(parseArgv(['-server', server.connectString], {}), script);
      const unplace = (t: string) => t.split(server.connectString).join('@SERVER@');
      expect(normalize(unplace(mask(out.stdout)))).toBe(normalize(read(fixture, 'stdout')));
      expect(unplace(out.stderr)).toBe(read(fixture, 'stderr'));
      expect(exitCode).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
