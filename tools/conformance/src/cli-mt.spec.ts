import { execFile } from 'node:child_process';
import { apacheCliMt } from '@coord/testing';
import { serverKinds, startServer } from './servers';

/** The C client's shell in batch mode (`cmd:`): one command per process, like a script would use it. */
function cliMt(connectString: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(apacheCliMt, [connectString, `cmd:${command}`], { timeout: 15_000 }, (err, stdout, stderr) => {
      if (err && err.killed) return reject(new Error(`cli_mt ${command} timed out`));
      resolve(stdout + stderr);
    });
  });
}

describe.each(serverKinds)('the C client (cli_mt) smoke test against %s', (kind) => {
  it('connects with the fixed 45/41-byte handshake, creates, lists, reads and deletes', async () => {
    const server = await startServer(kind);
    try {
      const created = await cliMt(server.connectString, 'create /cmt');
      expect(created).toMatch(/Got a new session id: 0x[0-9a-f]+/);
      expect(created).toMatch(/\[\/cmt\]: rc = 0/);
      const listed = await cliMt(server.connectString, 'ls /');
      expect(listed).toMatch(/\/: rc = 0/);
      expect(listed).toMatch(/\tcmt\n/);
      expect(listed).toMatch(/\tzookeeper\n/);
      const got = await cliMt(server.connectString, 'get /cmt');
      expect(got).toMatch(/\/cmt: rc = 0/);
      const deleted = await cliMt(server.connectString, 'delete /cmt');
      expect(deleted).toMatch(/rc = 0/);
      const missing = await cliMt(server.connectString, 'get /cmt');
      expect(missing).toMatch(/\/cmt: rc = -101/);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
