/**
 * Work that outside events pile up goes in bounded slices (housekeep): sessions expiring in the same
 * tick are closed sessionExpiryBatchMax at a time, and the watches of connections that closed at once
 * are dropped about droppedWatchesBatchMax at a time. What must not change: an expired session is
 * closing from the tick that found it (SESSIONEXPIRED, no reconnect), each is closed exactly once, in
 * expiry order; a closed connection is never notified, and a watch fires exactly once.
 */
import type { Txn } from '@coord/data-tree';
import { decodeNotification, encodeConnectRequest, encodeRequest, ErrorCode, EventType, Request } from '@coord/protocol';
import { droppedWatchesBatchMax, perConnection, RequestPipeline, sessionExpiryBatchMax } from './index';

const openAcl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

/** Frames in, effects out, the log persisting at once; `frames` keeps what each connection was sent. */
class Harness {
  clock = 1_700_000_000_000;
  readonly core: RequestPipeline;
  readonly frames = new Map<number, Buffer[]>();
  readonly persisted: Txn[] = [];
  private xid = 1;

  constructor() {
    let seed = 1;
    this.core = new RequestPipeline({ tickTimeMs: 2000 }, { now: () => this.clock, randomBytes: (n) => Buffer.alloc(n, seed++) });
  }

  flush(): void {
    for (;;) {
      const { toPersist, effects } = this.core.ready();
      for (const e of perConnection(effects)) if (e.kind === 'send') this.framesOf(e.connId).push(e.frame.subarray(4));
      this.persisted.push(...(toPersist as unknown as Txn[]));
      if (toPersist.length > 0) {
        this.core.advance(toPersist[toPersist.length - 1].zxid);
        continue;
      }
      if (effects.length === 0) return;
    }
  }

  framesOf(id: number): Buffer[] {
    let list = this.frames.get(id);
    if (!list) this.frames.set(id, (list = []));
    return list;
  }

  connect(id: number, timeOut = 4000): void {
    this.core.connectionOpened({ id, remoteAddress: '127.0.0.1', remotePort: 40000 + id });
    this.core.receive(id, encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }).subarray(4));
  }

  send(id: number, request: Request): void {
    this.core.receive(id, encodeRequest(this.xid++, request).subarray(4));
  }

  /** The error code of connection `id`'s last reply. */
  lastErr(id: number): number {
    const list = this.framesOf(id);
    return list[list.length - 1].readInt32BE(12);
  }

  notifications(id: number): { type: number; state: number; path: string }[] {
    return this.framesOf(id)
      .filter((f) => f.readInt32BE(0) === -1)
      .map((f) => decodeNotification(f).event);
  }

  /** What the driver does: one slice per turn while there is deferred work. */
  housekeepUntilDone(): number {
    let slices = 0;
    while (this.core.hasDeferredWork) {
      this.core.housekeep();
      this.flush();
      slices++;
    }
    return slices;
  }
}

const closedSessionIds = (txns: Txn[]) => txns.filter((t) => t.op.type === 'closeSession').map((t) => t.sessionId);

describe('expiry in batches', () => {
  it('closes sessions that expire in the same tick over several slices, each once, in expiry order', () => {
    const h = new Harness();
    const n = 2 * sessionExpiryBatchMax + 7;
    for (let id = 1; id <= n; id++) h.connect(id);
    h.flush();
    for (let id = 1; id <= n; id++) h.send(id, { type: 1, body: { path: `/e${id}`, data: null, acl: openAcl, flags: 1 } });
    h.flush();
    const sessionIds = [...h.core.sessions.all()].map((s) => s.sessionId);
    for (let id = 1; id <= n; id++) h.core.connectionClosed(id);
    h.housekeepUntilDone();
    h.clock += 10_000;
    h.core.tick();
    h.flush();
    // The first slice: a batch closed, every session closing already.
    expect(closedSessionIds(h.persisted)).toEqual(sessionIds.slice(0, sessionExpiryBatchMax));
    expect([...h.core.sessions.all()].every((s) => s.closing)).toBe(true);
    expect(h.core.hasDeferredWork).toBe(true);
    expect(h.housekeepUntilDone()).toBe(2);
    expect(closedSessionIds(h.persisted)).toEqual(sessionIds);
    expect(h.core.sessions.size).toBe(0);
    expect(h.core.tree.ephemeralCount).toBe(0);
  });

  it('answers SESSIONEXPIRED to a session found expired and not yet closed, and closes it once', () => {
    const h = new Harness();
    const n = sessionExpiryBatchMax + 1;
    for (let id = 1; id <= n; id++) h.connect(id);
    h.flush();
    h.clock += 10_000;
    h.core.tick();
    h.flush();
    // The last session is still open at the server, waiting for the next slice.
    expect(h.core.sessions.size).toBe(1);
    h.send(n, { type: 4, body: { path: '/', watch: false } });
    h.flush();
    expect(h.lastErr(n)).toBe(ErrorCode.SESSIONEXPIRED);
    h.housekeepUntilDone();
    h.core.tick();
    h.flush();
    expect(closedSessionIds(h.persisted).length).toBe(n);
    expect(h.core.sessions.size).toBe(0);
  });
});

describe('watches of closed connections in batches', () => {
  const watchesPerConn = 100;
  const conns = Math.ceil((3 * droppedWatchesBatchMax) / watchesPerConn);

  function watched(): Harness {
    const h = new Harness();
    h.connect(0, 30_000);
    h.flush();
    for (let i = 0; i < watchesPerConn; i++) h.send(0, { type: 1, body: { path: `/w${i}`, data: null, acl: openAcl, flags: 0 } });
    h.flush();
    for (let id = 1; id <= conns; id++) {
      h.connect(id, 30_000);
      for (let i = 0; i < watchesPerConn; i++) h.send(id, { type: 4, body: { path: `/w${i}`, watch: true } });
    }
    h.flush();
    return h;
  }

  it('drops a few watches at once', () => {
    const h = watched();
    h.core.connectionClosed(1);
    expect(h.core.tree.watchCountOf(1)).toBe(0);
    expect(h.core.hasDeferredWork).toBe(false);
  });

  it('spreads many over slices; a closed connection is never notified meanwhile; the rest fire once', () => {
    const h = watched();
    for (let id = 1; id < conns; id++) h.core.connectionClosed(id);
    expect(h.core.hasDeferredWork).toBe(true);
    const waiting = [...Array(conns - 1).keys()].map((i) => i + 1).filter((id) => h.core.tree.watchCountOf(id) > 0);
    expect(waiting.length).toBeGreaterThan(0);
    const before = waiting.map((id) => h.framesOf(id).length);
    h.send(0, { type: 5, body: { path: '/w0', data: null, version: -1 } });
    h.flush();
    expect(waiting.map((id) => h.framesOf(id).length)).toEqual(before);
    expect(h.notifications(conns)).toEqual([{ type: EventType.NodeDataChanged, state: 3, path: '/w0' }]);
    const slices = h.housekeepUntilDone();
    expect(slices).toBeGreaterThanOrEqual(2);
    for (let id = 1; id < conns; id++) expect(h.core.tree.watchCountOf(id)).toBe(0);
    expect(h.core.tree.watchCountOf(conns)).toBe(watchesPerConn - 1);
    h.send(0, { type: 5, body: { path: '/w0', data: null, version: -1 } });
    h.flush();
    expect(h.notifications(conns).length).toBe(1);
  });

  it('keeps the watches of a new connection that reuses a closed connection id', () => {
    const h = watched();
    for (let id = 1; id < conns; id++) h.core.connectionClosed(id);
    const reused = conns - 1;
    expect(h.core.tree.watchCountOf(reused)).toBe(watchesPerConn);
    h.connect(reused, 30_000);
    h.flush();
    h.send(reused, { type: 4, body: { path: '/w1', watch: true } });
    h.flush();
    h.housekeepUntilDone();
    expect(h.core.tree.watchCountOf(reused)).toBe(1);
  });
});
