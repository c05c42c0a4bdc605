/** `version` in the shell and `srvr` on the node name the same version: one constant, read by both. */
import { fourLetterWord } from '@coord/testing';
import { parseArgv } from '../lib/argv';
import { runMain, startCoordinode, type TestServer } from './harness';

describe('version', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startCoordinode();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("prints the version srvr reports", async () => {
    const { out, exitCode } = await runMain(parseArgv(['-server', server.connectString, 'version'], {}), '');
    expect(exitCode).toBe(0);
    const cli = /^ZooKeeper CLI version: (\S+)$/m.exec(out.stdout)?.[1];
    const [host, port] = server.connectString.split(':');
    const srvr = /^Zookeeper version: (\S+?),? /m.exec(await fourLetterWord(host, Number(port), 'srvr', 2_000))?.[1];
    expect(cli).toBeDefined();
    expect(cli).toBe(srvr);
  });
});
