/**
 * A session password is only good on the ensemble (or data directory) that issued it: passwords derive
 * from a random secret each ensemble makes once. Two cores that hand out the same session id (same
 * clock, same server id) but were given different randomness must refuse each other's passwords, as
 * ZooKeeper refuses a password made with another server's secret: timeOut 0, zeroed id and password,
 * then a close.
 */
import { decodeConnectResponse, encodeConnectRequest, type ConnectResponse } from '@coord/protocol';
import { perConnection, RequestPipeline } from './index';

const clock = 1_700_000_000_000;

function ensemble(fill: number): RequestPipeline {
  return new RequestPipeline({}, { now: () => clock, randomBytes: (n) => Buffer.alloc(n, fill) });
}

/** Connects on `connId` and drains the core (applying its own createSession); returns the answer and whether it closed. */
function connect(core: RequestPipeline, connId: number, sessionId = 0n, passwd: Buffer = Buffer.alloc(16)): { res: ConnectResponse; closed: boolean } {
  core.connectionOpened({ id: connId, remoteAddress: '127.0.0.1', remotePort: 50000 + connId });
  core.receive(connId, encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 30000, sessionId, passwd, readOnly: false }).subarray(4));
  let res: ConnectResponse | undefined;
  let closed = false;
  for (let round = 0; round < 10; round++) {
    const r = core.ready();
    for (const e of perConnection(r.effects)) {
      if (e.kind === 'send' && e.connId === connId && res === undefined) res = decodeConnectResponse(e.frame.subarray(4));
      if (e.kind === 'close' && e.connId === connId) closed = true;
    }
    if (r.toPersist.length > 0) core.advance(r.toPersist[r.toPersist.length - 1].zxid);
    else if (r.effects.length === 0) break;
  }
  if (!res) throw new Error('no ConnectResponse');
  return { res, closed };
}

it("refuses a session password replayed from another ensemble, and accepts its own for the same session id", () => {
  const a = ensemble(0xaa);
  const b = ensemble(0xbb);
  const fromA = connect(a, 1).res;
  const ownB = connect(b, 1).res;
  expect(ownB.sessionId).toBe(fromA.sessionId);
  expect(ownB.passwd.equals(fromA.passwd)).toBe(false);

  const replayed = connect(b, 2, fromA.sessionId, fromA.passwd);
  expect(replayed.res).toMatchObject({ timeOut: 0, sessionId: 0n });
  expect(replayed.res.passwd).toEqual(Buffer.alloc(16));
  expect(replayed.closed).toBe(true);

  const resumed = connect(b, 3, ownB.sessionId, ownB.passwd);
  expect(resumed.res.sessionId).toBe(ownB.sessionId);
  expect(resumed.res.timeOut).toBeGreaterThan(0);
});
