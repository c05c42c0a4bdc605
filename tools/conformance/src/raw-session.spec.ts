import {
  authRequest,
  createRequest,
  getDataRequest,
  getDataWatchRequest,
  handshake,
  notification,
  openSession,
  replyHeader,
  setDataRequest,
} from './raw-client';
import { oursKinds, startServer, type ServerKind } from './servers';
import { srvrOf } from './zxid-epoch';

/**
 * Session-level rules seen in raw frames, where a client library would hide them: the reply to `auth`
 * carries the request's xid (go-zookeeper numbers auth like any request; the Java client sends -4), a
 * failed auth is answered AUTHFAILED (-115) and the connection closed without harming other sessions,
 * a watch notification's header and event, and resuming a session after its connection dropped: with
 * the right password it is the same session (on an ensemble, at another member: sessions move), with a
 * wrong password or an unknown id the answer has timeOut 0 and the connection is closed. Each target must show exactly what Apache ZooKeeper shows.
 *
 * The one field that depends on the version a server announces is the notification's zxid: ZooKeeper
 * 3.8 (our reference) sends -1, 3.9 sends the zxid of the write that fired the watch (ZOOKEEPER-4655),
 * and Coordinode answers as 3.9. So that field is checked against the server's own `srvr` version.
 */
function notificationZxidRule(version: string, zxid: bigint, writeZxid: bigint): string {
  const [major, minor] = version.split('.').map(Number);
  const expected = major > 3 || (major === 3 && minor >= 9) ? writeZxid : -1n;
  return zxid === expected ? 'as its announced version sends it' : `${zxid} (the write was ${writeZxid}, the server says it is ${version})`;
}

async function observe(kind: ServerKind): Promise<string[]> {
  const server = await startServer(kind);
  const seen: string[] = [];
  try {
    const a = await openSession(server.host, server.port);
    const b = await openSession(server.host, server.port);
    const exchange = async (label: string, bytes: Buffer) => {
      a.write(bytes);
      const reply = await a.readFrame();
      if (!reply) return seen.push(`${label} -> no reply${a.closed ? ', closed' : ''}`);
      const { xid, err } = replyHeader(reply);
      return seen.push(`${label} -> xid=${xid} err=${err}`);
    };
    await exchange('auth digest xid=42', authRequest(42, 'digest', 'user1:12345'));
    await exchange('auth digest xid=-4', authRequest(-4, 'digest', 'user2:12345'));
    await exchange('auth digest xid=0x7fffffff', authRequest(0x7fffffff, 'digest', 'user3:12345'));
    await exchange('create /w', createRequest(43, '/w', 'w'));
    await exchange('getData /w watch', getDataWatchRequest(44, '/w', true));

    b.write(setDataRequest(7, '/w', 'changed'));
    const setReply = await b.readFrame();
    seen.push(`other session setData /w -> err=${setReply ? replyHeader(setReply).err : 'no reply'}`);
    const event = await a.readFrame();
    if (!event || !setReply) seen.push('no notification');
    else {
      const n = notification(event);
      const version = /^Zookeeper version: ([0-9.]+)/m.exec(await srvrOf(server))?.[1] ?? 'unknown';
      const zxid = notificationZxidRule(version, n.zxid, replyHeader(setReply).zxid);
      seen.push(`notification xid=${n.xid} zxid ${zxid} err=${n.err} type=${n.type} state=${n.state} path=${n.path}`);
    }

    await exchange('auth nosuchscheme xid=45', authRequest(45, 'nosuchscheme', 'x'));
    seen.push(`connection after failed auth: ${(await a.waitClosed()) ? 'closed' : 'open'}`);
    b.write(getDataRequest(8, '/w'));
    const still = await b.readFrame();
    seen.push(`other session getData /w -> ${still ? `xid=${replyHeader(still).xid} err=${replyHeader(still).err}` : 'no reply'}`);

    const fresh = await handshake(server.host, server.port);
    const session = { sessionId: fresh.response.sessionId, passwd: fresh.response.passwd };
    seen.push(`new session -> timeOut=${fresh.response.timeOut} passwd=${session.passwd.length} bytes`);
    fresh.conn.destroy();
    const elsewhere = server.otherMembers[0] ?? server;
    const resumed = await handshake(elsewhere.host, elsewhere.port, session);
    const same = resumed.response.sessionId === session.sessionId;
    seen.push(`resume (at another member if any) -> ${same ? 'same session' : 'another session'} timeOut=${resumed.response.timeOut}`);
    resumed.conn.write(getDataRequest(9, '/w'));
    const read = await resumed.conn.readFrame();
    seen.push(`resumed session getData /w -> ${read ? `xid=${replyHeader(read).xid} err=${replyHeader(read).err}` : 'no reply'}`);
    resumed.conn.destroy();
    const wrongPasswd = Buffer.from(session.passwd.map((byte) => byte ^ 0xff));
    for (const [label, attempt] of [
      ['wrong password', { sessionId: session.sessionId, passwd: wrongPasswd }],
      ['unknown session', { sessionId: session.sessionId ^ 0x5a5a5a5an, passwd: session.passwd }],
    ] as const) {
      const refused = await handshake(server.host, server.port, attempt);
      const r = refused.response;
      seen.push(`resume with ${label} -> timeOut=${r.timeOut} sessionId=${r.sessionId} passwd=${r.passwd.toString('hex')} ${(await refused.conn.waitClosed()) ? 'closed' : 'open'}`);
      refused.conn.destroy();
    }
    a.destroy();
    b.destroy();
    return seen;
  } finally {
    await server.stop();
  }
}

describe('auth replies, failed auth, notification headers and session resumption in raw frames', () => {
  let apache: string[];

  beforeAll(async () => {
    apache = await observe('apache');
  }, 60_000);

  it('the reference echoes the auth xid, closes after a failed auth and resumes sessions (sanity check)', () => {
    expect(apache).toContain('auth digest xid=42 -> xid=42 err=0');
    expect(apache).toContain('auth nosuchscheme xid=45 -> xid=45 err=-115');
    expect(apache).toContain('connection after failed auth: closed');
    expect(apache).toContain('resume (at another member if any) -> same session timeOut=10000');
    expect(apache).toContain('resumed session getData /w -> xid=9 err=0');
    expect(apache.filter((l) => /^resume with .* -> timeOut=0 .* closed$/.test(l))).toHaveLength(2);
  });

  it.each(oursKinds)('%s shows the same', async (kind) => {
    expect(await observe(kind)).toEqual(apache);
  }, 90_000);
});
