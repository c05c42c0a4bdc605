import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { oursKinds, serverKinds, startServer } from './servers';
import { epochOf, withoutEpoch } from './zxid-epoch';

/** Debian's python3-kazoo, run with the system interpreter (a pyenv python3 on PATH would not see it). */
const python = process.env['COORD_PYTHON'] ?? '/usr/bin/python3';
const scenario = join(__dirname, '..', 'kazoo', 'scenario.py');

function runKazoo(connectString: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(python, [scenario, connectString], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kazoo scenario failed against ${connectString}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe('kazoo behaves the same against Apache ZooKeeper, our node and an ensemble follower', () => {
  const outputs: Record<string, string> = {};

  beforeAll(async () => {
    if (!existsSync(python)) throw new Error(`${python} is missing: install python3-kazoo (see .ci/run)`);
    for (const kind of serverKinds) {
      const server = await startServer(kind);
      try {
        const output = await runKazoo(server.connectString);
        outputs[kind] = withoutEpoch(output, await epochOf(server));
      } finally {
        await server.stop();
      }
    }
  }, 210_000);

  it('the reference run exercised watches, ACLs, transactions and recipes (sanity check)', () => {
    const ref = outputs['apache'];
    expect(ref).toContain("transaction failing -> ['RolledBackError', 'BadVersionError']");
    expect(ref).toContain('get secret as other -> NoAuthError');
    expect(ref).toContain('lock acquire -> True');
    expect(ref).toMatch(/-- events --\nCREATED \/kz\/later\nCHANGED \/kz\/later\nCHILD \/kz\nDELETED \/kz\/eph-0000000003/);
  });

  it.each(oursKinds)('prints the same lines (%s)', (kind) => {
    expect(outputs[kind].split('\n')).toEqual(outputs['apache'].split('\n'));
  });
});
