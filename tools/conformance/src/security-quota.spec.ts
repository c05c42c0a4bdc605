/**
 * enforceQuota=true against Apache ZooKeeper and our node: zkCli.sh sets hard and soft limits with
 * setquota; a create past a hard count limit and a set past a hard byte limit are refused with
 * QUOTAEXCEEDED, a soft limit only warns in the server log. Both servers must print the same lines.
 */
import { spawnCoordinode, startApacheZooKeeper, type RunningServer } from '@coord/testing';
import { sharedConfig } from './servers';
import { normalizeZkCliOutput, runApacheZkCli } from './zkcli';

const targets = ['apache', 'coordinode'] as const;
const servers: Partial<Record<(typeof targets)[number], RunningServer>> = {};

beforeAll(async () => {
  servers.apache = await startApacheZooKeeper({ ...sharedConfig, enforceQuota: 'true' });
  servers.coordinode = await spawnCoordinode({ config: { ...sharedConfig, enforceQuota: 'true' } });
}, 90_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s?.stop()));
});

async function lines(kind: (typeof targets)[number], commands: string[]): Promise<string[]> {
  const server = servers[kind]!;
  const run = await runApacheZkCli(server.connectString, [...commands, 'quit']);
  // zkCli prints a refused write's error on stderr.
  const errors = run.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('SLF4J:'));
  return [...normalizeZkCliOutput(run.stdout, server.connectString).lines, '-- stderr --', ...errors];
}

it('hard count and byte limits refuse writes with QUOTAEXCEEDED; soft limits let them through (same output on both)', async () => {
  const commands = [
    'create /hard ""',
    'setquota -N 2 /hard',
    'create /hard/a ""',
    'create /hard/b ""',
    'ls /hard',
    'create /bytes ""',
    'setquota -B 10 /bytes',
    'set /bytes 0123456789',
    'set /bytes 0123456789A',
    'get /bytes',
    'create /soft ""',
    'setquota -n 1 /soft',
    'create /soft/a ""',
    'ls /soft',
    'listquota /hard',
  ];
  const [apache, ours] = await Promise.all(targets.map((k) => lines(k, commands)));
  expect(apache.some((l) => /Quota has exceeded|QuotaExceeded|Quota exceeded/i.test(l))).toBe(true);
  expect(apache).toContain('[a]');
  expect(apache).toContain('0123456789');
  expect(ours).toEqual(apache);
}, 120_000);
