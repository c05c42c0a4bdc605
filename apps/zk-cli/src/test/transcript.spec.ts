/**
 * The seed's command sequence (docs/zkcli-reference-transcript.txt, recorded from Apache zkCli.sh 3.8.0)
 * replayed through our shell against a fresh Apache ZooKeeper and a fresh Coordinode node. Every command
 * must print exactly what zkCli printed, stdout and stderr merged in the same order, with only the times
 * and the session id masked: zxids, versions, sequence numbers, watch events and error texts all count.
 */
import { commandNames } from '../lib/commands/table';
import { loadReferenceTranscript, mask, runScript, serverLaunchers, type TestServer } from './harness';

const reference = loadReferenceTranscript(commandNames);

describe.each(serverLaunchers)('reference transcript against %s', (_name, launch) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await launch();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('has the seed sequence to replay', () => {
    expect(reference.steps.length).toBeGreaterThan(25);
    expect(reference.steps[reference.steps.length - 1].command).toBe('quit');
  });

  it('prints what zkCli printed, command by command', async () => {
    const result = await runScript(
      server.connectString,
      reference.steps.map((s) => s.command),
    );
    expect(result.preamble.replace(server.connectString, '127.0.0.1:12191')).toBe(reference.preamble);
    const got = result.blocks.map((b, i) => ({ command: reference.steps[i].command, output: mask(b) }));
    const want = reference.steps.map((s) => ({ command: s.command, output: mask(s.output) }));
    expect(got).toEqual(want);
    expect(result.exitCode).toBe(0);
  });
});
