/** The scripted walkthrough runs by itself (embedded node, client, three servers) and exits 0. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { workspaceRoot } from './spawn-app';

jest.setTimeout(150_000);

it('plays the online/offline case and exits', async () => {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(workspaceRoot, 'apps/distribute-client/src/walkthrough.ts')], {
    cwd: workspaceRoot,
    env: { ...process.env, SWC_NODE_PROJECT: join(workspaceRoot, 'tsconfig.base.json'), COORD_CONNECT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 140_000);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(timer);
  expect({ code, out }).toMatchObject({ code: 0 });
  const lists = [...out.matchAll(/client\s+\| \[DistributeClient\] online servers: \[([^\]]*)\]/g)].map((m) => m[1]);
  expect(lists).toEqual(['', 'hadoop102', 'hadoop102, hadoop103', 'hadoop102, hadoop103, hadoop104', 'hadoop102, hadoop104', 'hadoop102', '']);
  expect(out).toContain('hadoop103 is going offline (SIGINT)');
  expect(out).toMatch(/hello from hadoop102: walkthrough\n.*hello from hadoop103: walkthrough\n.*hello from hadoop104: walkthrough/);
});
