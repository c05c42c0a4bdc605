import { openSession, createRequest, replyHeader } from './raw-client';
import { oursKinds, startServer, type ServerKind } from './servers';

/**
 * ZooKeeper checks a create's parent before it validates the full path, so a bad path can answer NONODE
 * or BADARGUMENTS depending on which check comes first. Both servers must answer every case alike.
 */
const paths = [
  '/a//b', '/p//b', '/p/', '/a/', 'relative', '/p/./b', '/p/.', '/p/..', '/p/bad\u0001char', '/bad\u0001char',
  '/p/x\ud800', '', '/zookeeper/x/../y', '/p/\u007f', '/p/ok name', '/p/.hidden', '/p/...', '/p/a.',
];

async function codesOn(kind: ServerKind): Promise<Array<[string, number | 'closed']>> {
  const server = await startServer(kind);
  try {
    const conn = await openSession(server.host, server.port);
    conn.write(createRequest(1, '/p', 'parent'));
    await conn.readFrame();
    const out: Array<[string, number | 'closed']> = [];
    let xid = 2;
    for (const path of paths) {
      conn.write(createRequest(xid++, path, 'x'));
      const reply = await conn.readFrame();
      out.push([path, reply ? replyHeader(reply).err : 'closed']);
    }
    conn.destroy();
    return out;
  } finally {
    await server.stop();
  }
}

describe('path rules on create', () => {
  let apache: Array<[string, number | 'closed']>;

  beforeAll(async () => {
    apache = await codesOn('apache');
  }, 60_000);

  it('the reference answers BADARGUMENTS for most of the bad paths (sanity check)', () => {
    expect(apache.filter(([, c]) => c === -8).length).toBeGreaterThan(5);
  });

  it.each(oursKinds)('%s answers the same code for every path', async (kind) => {
    expect(await codesOn(kind)).toEqual(apache);
  }, 90_000);
});
