/**
 * When the server goes away the shell prints the session events zkCli prints (Disconnected, then Expired
 * once the session timeout passes), the waiting command fails with exit code 2, and later commands say
 * `Not connected`.
 */
import { runScript, startCoordinode } from './harness';

describe('losing the server', () => {
  it('prints Disconnected and Expired, then Not connected', async () => {
    // tickTime 200 ms lets the session timeout be short (2 ticks minimum), so expiry comes quickly.
    const server = await startCoordinode({ tickTime: 200 });
    let stopped = false;
    try {
      const r = await runScript(server.connectString, ['create /gone "x"', 'get /gone', 'get /gone'], {
        sessionTimeoutMs: 1000,
        after: async (i) => {
          if (i === 0) {
            await server.stop();
            stopped = true;
          }
        },
      });
      const ev = (state: string) => `\nWATCHER::\n\nWatchedEvent state:${state} type:None path:null\n`;
      // Disconnected comes first. The waiting `get` fails with ConnectionLoss or, if the client's expiry
      // timer fires first, Session expired; by the last command the session is expired either way.
      const text = r.blocks.join('');
      expect(text.startsWith('Created /gone\n' + ev('Disconnected'))).toBe(true);
      expect(r.blocks[1]).toMatch(/KeeperErrorCode = (ConnectionLoss|Session expired) for \/gone\n$/);
      expect(text.split(ev('Expired')).length).toBe(2);
      expect(text.endsWith('Not connected\n') || text.endsWith('KeeperErrorCode = Session expired for /gone\n')).toBe(true);
      expect(r.exitCode).toBe(2);
    } finally {
      if (!stopped) await server.stop();
    }
  }, 20_000);
});
