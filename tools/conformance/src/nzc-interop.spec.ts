import { runNzcScenario } from './nzc-scenario';
import { oursKinds, serverKinds, startServer } from './servers';
import { epochOf, withoutEpoch } from './zxid-epoch';

describe('node-zookeeper-client behaves the same against Apache ZooKeeper, our node and an ensemble follower', () => {
  const logs: Record<string, string[]> = {};

  beforeAll(async () => {
    for (const kind of serverKinds) {
      const server = await startServer(kind);
      try {
        const lines = await runNzcScenario(server.connectString);
        const epoch = await epochOf(server);
        logs[kind] = lines.map((line) => withoutEpoch(line, epoch));
      } finally {
        await server.stop();
      }
    }
  }, 180_000);

  it('the reference log shows every watch type and error code (sanity check of the harness)', () => {
    const ref = logs['apache'].join('\n');
    for (const code of [-101, -102, -103, -108, -110, -111, -114]) expect(ref).toContain(`error ${code} `);
    for (const ev of ['exists-watch: NODE_CREATED', 'data-watch: NODE_DATA_CHANGED', 'data-watch-2: NODE_DELETED', 'child-watch: NODE_CHILDREN_CHANGED', 'eph-watch: NODE_DELETED']) {
      expect(ref).toContain(ev);
    }
  });

  it.each(oursKinds)('every operation, watch and error is identical, line by line (%s)', (kind) => {
    expect(logs[kind]).toEqual(logs['apache']);
  });
});
