import {
  ConnectRequest,
  decodeConnectResponse,
  decodeNotification,
  decodeReplyBody,
  decodeReplyHeader,
  encodeConnectRequest,
  encodeRequest,
  ErrorCode,
  EventType,
  Request,
} from '@coord/protocol';
import { digestId } from '@coord/data-tree';
import { perConnection, RequestPipeline, ServerConfig } from './index';

/** A tiny harness: one fake clock, frames in, effects out (length prefixes stripped). */
class Harness {
  clock = 1_700_000_000_000;
  core: RequestPipeline;
  persistAutomatically = true;
  out = new Map<number, Buffer[]>();
  closed = new Map<number, string>();
  persisted: number[] = [];

  constructor(config: Partial<ServerConfig> = {}) {
    let seed = 1;
    this.core = new RequestPipeline(config, {
      now: () => this.clock,
      randomBytes: (n) => Buffer.alloc(n, seed++),
    });
  }

  open(id: number): void {
    this.core.connectionOpened({ id, remoteAddress: '127.0.0.1', remotePort: 40000 + id });
  }

  send(id: number, frame: Buffer): void {
    this.core.receive(id, frame.subarray(4));
    this.flush();
  }

  flush(): void {
    for (;;) {
      const { toPersist, effects } = this.core.ready();
      for (const e of perConnection(effects)) {
        if (e.kind === 'send') {
          const list = this.out.get(e.connId) ?? [];
          list.push(e.frame.subarray(4));
          this.out.set(e.connId, list);
        } else {
          this.closed.set(e.connId, e.reason);
        }
      }
      if (toPersist.length > 0) this.persisted.push(...toPersist.map((t) => t.zxid));
      if (toPersist.length > 0 && this.persistAutomatically) {
        this.core.advance(toPersist[toPersist.length - 1].zxid);
        continue;
      }
      if (effects.length === 0) return;
    }
  }

  take(id: number): Buffer[] {
    const list = this.out.get(id) ?? [];
    this.out.set(id, []);
    return list;
  }

  connect(id: number, req: Partial<ConnectRequest> = {}) {
    this.open(id);
    this.send(id, encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false, ...req }));
    const frames = this.take(id);
    return frames.length > 0 ? decodeConnectResponse(frames[0]) : undefined;
  }

  request(id: number, xid: number, req: Request) {
    this.send(id, encodeRequest(xid, req));
    const frames = this.take(id);
    const last = frames[frames.length - 1];
    return { header: decodeReplyHeader(last), body: decodeReplyBody(last, req.type) as any, frames };
  }
}

const openAcl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const create = (path: string, flags = 0, data: Buffer | null = Buffer.from('d')): Request => ({ type: 1, body: { path, data, acl: openAcl, flags } });

describe('RequestPipeline handshake', () => {
  it('answers with and without the readOnly byte and clamps the timeout', () => {
    const h = new Harness({ tickTimeMs: 2000 });
    const modern = h.connect(1, { timeOut: 100000 })!;
    expect(modern.timeOut).toBe(40000);
    expect(modern.readOnly).toBe(false);
    expect(modern.passwd.length).toBe(16);
    expect(modern.sessionId >> 56n).toBe(1n);
    const old = h.connect(2, { readOnly: undefined, timeOut: 1 })!;
    expect(old.timeOut).toBe(4000);
    expect(old.readOnly).toBeUndefined();
    expect(old.sessionId).toBe(modern.sessionId + 1n);
  });

  it('reconnects with id and password, closing the old connection; rejects a bad password', () => {
    const h = new Harness();
    const first = h.connect(1)!;
    const again = h.connect(2, { sessionId: first.sessionId, passwd: first.passwd })!;
    expect(again.sessionId).toBe(first.sessionId);
    expect(h.closed.has(1)).toBe(true);
    const bad = h.connect(3, { sessionId: first.sessionId, passwd: Buffer.alloc(16, 9) })!;
    expect(bad.timeOut).toBe(0);
    expect(bad.sessionId).toBe(0n);
    expect(bad.passwd).toEqual(Buffer.alloc(16));
    expect(h.closed.has(3)).toBe(true);
  });

  it('closes without a reply when the client has seen a newer zxid', () => {
    const h = new Harness();
    expect(h.connect(1, { lastZxidSeen: 99 })).toBeUndefined();
    expect(h.closed.has(1)).toBe(true);
  });
});

describe('RequestPipeline requests', () => {
  it('accounts zxids like ZooKeeper: session 0x1, create 0x2, failed create 0x3, next 0x4', () => {
    const h = new Harness();
    h.connect(1);
    expect(h.core.lastProcessedZxid).toBe(1);
    const ok = h.request(1, 1, create('/a'));
    expect(ok.header).toEqual({ xid: 1, zxid: 2, err: 0 });
    expect(ok.body).toEqual({ path: '/a' });
    const dup = h.request(1, 2, create('/a'));
    expect(dup.header).toEqual({ xid: 2, zxid: 3, err: ErrorCode.NODEEXISTS });
    const read = h.request(1, 3, { type: 4, body: { path: '/a', watch: false } });
    expect(read.header.zxid).toBe(3);
    expect(read.body.stat.czxid).toBe(2);
    const next = h.request(1, 4, { type: 5, body: { path: '/a', data: null, version: 0 } });
    expect(next.header).toEqual({ xid: 4, zxid: 4, err: 0 });
    expect(next.body.stat).toMatchObject({ mzxid: 4, version: 1, dataLength: 0 });
  });

  it('names sequential nodes from the parent counter, also inside multi', () => {
    const h = new Harness();
    h.connect(1);
    h.request(1, 1, create('/q'));
    expect(h.request(1, 2, create('/q/n-', 2)).body.path).toBe('/q/n-0000000000');
    const m = h.request(1, 3, { type: 14, body: { ops: [{ type: 1, request: { path: '/q/n-', data: null, acl: openAcl, flags: 2 } }, { type: 15, request: { path: '/q/n-', data: null, acl: openAcl, flags: 2 } }] } });
    expect(m.header.err).toBe(0);
    expect(m.body.results.map((r: any) => r.response.path)).toEqual(['/q/n-0000000001', '/q/n-0000000002']);
  });

  it('reports a failed multi with ErrorResult(0) / code / -2 and applies nothing', () => {
    const h = new Harness();
    h.connect(1);
    const m = h.request(1, 1, {
      type: 14,
      body: { ops: [{ type: 1, request: { path: '/x', data: null, acl: openAcl, flags: 0 } }, { type: 2, request: { path: '/missing', version: -1 } }, { type: 13, request: { path: '/x', version: 0 } }] },
    });
    expect(m.header).toEqual({ xid: 1, zxid: 2, err: 0 });
    expect(m.body.results).toEqual([
      { type: -1, response: { err: 0 } },
      { type: -1, response: { err: ErrorCode.NONODE } },
      { type: -1, response: { err: ErrorCode.RUNTIMEINCONSISTENCY } },
    ]);
    expect(h.request(1, 2, { type: 3, body: { path: '/x', watch: false } }).header.err).toBe(ErrorCode.NONODE);
  });

  it('rejects ephemeral children, standalone check (closing), and unknown opcodes', () => {
    const h = new Harness();
    h.connect(1);
    h.request(1, 1, create('/e', 1));
    expect(h.request(1, 2, create('/e/c')).header.err).toBe(ErrorCode.NOCHILDRENFOREPHEMERALS);
    expect(h.request(1, 3, { type: 13, body: { path: '/e', version: 0 } }).header.err).toBe(ErrorCode.UNIMPLEMENTED);
    expect(h.closed.get(1)).toContain('check');
  });

  it('holds replies and notifications until the txn is persisted; other clients never see it before', () => {
    const h = new Harness();
    h.connect(1);
    h.connect(2);
    h.request(2, 1, { type: 3, body: { path: '/w', watch: true } });
    h.persistAutomatically = false;
    h.send(1, encodeRequest(1, create('/w')));
    h.send(2, encodeRequest(2, { type: 3, body: { path: '/w', watch: false } }));
    expect(h.take(1)).toEqual([]);
    // The read is answered from the durable tree: the unpersisted create is invisible to it.
    const early = h.take(2);
    expect(early).toHaveLength(1);
    expect(decodeReplyHeader(early[0])).toMatchObject({ xid: 2, err: ErrorCode.NONODE });
    expect(h.core.lastProcessedZxid).toBe(h.persisted[h.persisted.length - 2]);
    h.core.advance(h.persisted[h.persisted.length - 1]);
    h.flush();
    const frames = h.take(2);
    expect(frames).toHaveLength(1);
    const ev = decodeNotification(frames[0]);
    expect(ev.event).toMatchObject({ type: EventType.NodeCreated, path: '/w' });
    expect(ev.header.zxid).toBe(h.core.lastProcessedZxid);
    expect(decodeReplyHeader(h.take(1)[0])).toMatchObject({ xid: 1, err: 0 });
  });

  it('fans an event out as one frame to each live watching connection, counted per connection', () => {
    const h = new Harness();
    for (const id of [1, 2, 3, 4]) h.connect(id);
    h.request(1, 1, create('/f'));
    for (const id of [2, 3, 4]) {
      h.request(id, 1, { type: 4, body: { path: '/f', watch: true } });
      h.request(id, 2, { type: 106, body: { path: '/', mode: 1 } });
    }
    h.core.connectionClosed(3);
    const sentOf = () => new Map(h.core.stats().connections.map((c) => [c.remotePort - 40000, c.sent]));
    const before = { packets: h.core.stats().packetsSent, conns: sentOf() };
    // The set, and a write of connection 2 sequenced behind it: its reply must follow the event.
    h.core.receive(1, encodeRequest(2, { type: 5, body: { path: '/f', data: null, version: -1 } }).subarray(4));
    h.core.receive(2, encodeRequest(3, create('/g')).subarray(4));
    const { toPersist } = h.core.ready();
    expect(toPersist).toHaveLength(2);
    h.core.advance(toPersist[1].zxid);
    const { effects } = h.core.ready();
    expect(effects.map((e) => (e.kind === 'notify' ? [...e.connIds] : e.connId))).toEqual([[2, 4], 1, [2, 4], 2]);
    expect(h.core.stats().packetsSent - before.packets).toBe(6);
    const after = sentOf();
    expect([2, 4, 1].map((id) => (after.get(id) ?? 0) - (before.conns.get(id) ?? 0))).toEqual([3, 2, 1]);
  });

  it('answers a read after a pending write on the same connection only once the write is applied', () => {
    const h = new Harness();
    h.connect(1);
    h.persistAutomatically = false;
    h.send(1, encodeRequest(1, create('/r')));
    h.send(1, encodeRequest(2, { type: 3, body: { path: '/r', watch: false } }));
    expect(h.take(1)).toEqual([]);
    h.core.advance(h.persisted[h.persisted.length - 1]);
    h.flush();
    const frames = h.take(1);
    expect(frames.map((f) => decodeReplyHeader(f))).toMatchObject([{ xid: 1, err: 0 }, { xid: 2, err: 0 }]);
  });

  it('a sync or an error answered behind a pending write carries a zxid no older than the write', () => {
    const h = new Harness();
    h.connect(1);
    h.persistAutomatically = false;
    h.send(1, encodeRequest(1, create('/s')));
    h.send(1, encodeRequest(2, { type: 9, body: { path: '/' } }));
    h.send(1, encodeRequest(3, create('/t')).subarray(0, 4 + 8 + 2)); // header, then a cut body: MARSHALLINGERROR
    expect(h.take(1)).toEqual([]);
    h.core.advance(h.persisted[h.persisted.length - 1]);
    h.flush();
    const headers = h.take(1).map((f) => decodeReplyHeader(f));
    expect(headers.map((r) => r.xid)).toEqual([1, 2, 3]);
    expect(headers[2].err).toBe(ErrorCode.MARSHALLINGERROR);
    expect(headers[1].zxid).toBe(headers[0].zxid);
    expect(headers[2].zxid).toBe(headers[0].zxid);
  });

  it('a follower holds a write sent behind a pending sync until the sync is done, so the read between sees no later write', () => {
    const h = new Harness();
    const core = h.core;
    core.setRole('follower');
    h.open(1);
    core.receive(1, encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }).subarray(4));
    const created = core.ready().toSubmit[0] as { kind: 'createSession'; sessionId: bigint; timeOut: number };
    expect(created.kind).toBe('createSession');
    core.apply(1, { zxid: 1, time: h.clock, sessionId: created.sessionId, cxid: 0, op: { type: 'createSession', timeOut: created.timeOut, secret: Buffer.alloc(32, 1) } });
    core.ready();
    core.receive(1, encodeRequest(1, { type: 9, body: { path: '/' } }).subarray(4));
    core.receive(1, encodeRequest(2, { type: 4, body: { path: '/', watch: false } }).subarray(4));
    core.receive(1, encodeRequest(3, create('/later')).subarray(4));
    const before = core.ready();
    expect(before.toSync).toHaveLength(1);
    expect(before.toSubmit).toEqual([]);
    expect(before.effects).toEqual([]);
    core.syncDone(before.toSync[0]);
    const after = core.ready();
    const replies = after.effects.map((e) => (e.kind === 'send' ? decodeReplyHeader(e.frame.subarray(4)).xid : e.kind));
    expect(replies).toEqual([1, 2]);
    expect(after.toSubmit.map((r) => r.kind)).toEqual(['write']);
  });

  it('expires sessions in tick buckets, deleting ephemerals and firing watches', () => {
    const h = new Harness({ tickTimeMs: 2000 });
    const s = h.connect(1, { timeOut: 4000 })!;
    h.connect(2);
    h.request(1, 1, create('/eph', 1));
    h.request(2, 1, { type: 4, body: { path: '/eph', watch: true } });
    h.core.connectionClosed(1);
    h.clock += 4000;
    h.core.tick();
    h.flush();
    expect(h.core.tree.getNode('/eph')).toBeDefined();
    h.clock += 2000;
    h.core.tick();
    h.flush();
    expect(h.core.tree.getNode('/eph')).toBeUndefined();
    const ev = decodeNotification(h.take(2)[0]);
    expect(ev.event).toMatchObject({ type: EventType.NodeDeleted, path: '/eph' });
    const back = h.connect(3, { sessionId: s.sessionId, passwd: s.passwd })!;
    expect(back.timeOut).toBe(0);
  });

  it('handles auth, ACL checks, getACL masking and whoAmI', () => {
    const h = new Harness({ superDigest: 'super:D/InIHSb7yEEbrWz8b9l71RjZJU=' });
    h.connect(1);
    h.connect(2);
    const auth = h.request(1, -4, { type: 100, body: { type: 0, scheme: 'digest', auth: Buffer.from('user1:12345') } });
    expect(auth.header).toEqual({ xid: -4, zxid: 0, err: 0 });
    const acl = [{ perms: 31, id: { scheme: 'auth', id: '' } }];
    expect(h.request(1, 1, { type: 1, body: { path: '/s', data: null, acl, flags: 0 } }).header.err).toBe(0);
    expect(h.request(2, 1, { type: 4, body: { path: '/s', watch: false } }).header.err).toBe(ErrorCode.NOAUTH);
    expect(h.request(1, 2, { type: 6, body: { path: '/s' } }).body.acl).toEqual([
      { perms: 31, id: { scheme: 'digest', id: 'user1:+owfoSBn/am19roBPzR1/MfCblE=' } },
    ]);
    expect(h.request(1, 3, { type: 107, body: null }).body.clientInfo).toEqual([
      { authScheme: 'ip', user: '127.0.0.1' },
      { authScheme: 'digest', user: 'user1' },
    ]);
    const bad = h.request(2, -4, { type: 100, body: { type: 0, scheme: 'nope', auth: null } });
    expect(bad.header.err).toBe(ErrorCode.AUTHFAILED);
    expect(h.closed.has(2)).toBe(true);
  });

  it('answers ping with xid -2, addWatch with ErrorResponse, removeWatches NOWATCHER', () => {
    const h = new Harness();
    h.connect(1);
    expect(h.request(1, -2, { type: 11, body: null }).header).toEqual({ xid: -2, zxid: 1, err: 0 });
    expect(h.request(1, 1, { type: 106, body: { path: '/p', mode: 1 } }).body).toEqual({ err: 0 });
    expect(h.request(1, 2, { type: 17, body: { path: '/p', type: 5 } }).header.err).toBe(0);
    expect(h.request(1, 3, { type: 18, body: { path: '/p', type: 5 } }).header.err).toBe(0);
    expect(h.request(1, 4, { type: 18, body: { path: '/p', type: 5 } }).header.err).toBe(ErrorCode.NOWATCHER);
    expect(h.core.stats().nodeCount).toBe(5);
  });

  it('gates TTL nodes behind extendedTypesEnabled and sweeps containers', () => {
    const off = new Harness();
    off.connect(1);
    const ttlReq: Request = { type: 21, body: { path: '/t', data: null, acl: openAcl, flags: 5, ttl: 1000 } };
    expect(off.request(1, 1, ttlReq).header.err).toBe(ErrorCode.UNIMPLEMENTED);
    const h = new Harness({ extendedTypesEnabled: true, containerCheckIntervalMs: 1000 });
    h.connect(1);
    expect(h.request(1, 1, ttlReq).body.stat.ephemeralOwner).toBe(0n);
    h.request(1, 2, { type: 19, body: { path: '/c', data: null, acl: openAcl, flags: 4 } });
    h.request(1, 3, create('/c/x'));
    h.request(1, 4, { type: 2, body: { path: '/c/x', version: -1 } });
    h.clock += 1500;
    h.core.tick();
    h.flush();
    expect(h.core.tree.getNode('/c')).toBeUndefined();
    expect(h.core.tree.getNode('/t')).toBeUndefined();
  });
});

describe('RequestPipeline more requests', () => {
  it('sends notification zxid -1 in 3.8 mode and the txn zxid by default', () => {
    for (const mode of ['3.8', '3.9'] as const) {
      const h = new Harness({ notificationZxid: mode });
      h.connect(1);
      h.request(1, 1, { type: 3, body: { path: '/z', watch: true } });
      const r = h.request(1, 2, create('/z'));
      const ev = decodeNotification(r.frames[0]);
      expect(ev.header.zxid).toBe(mode === '3.8' ? -1 : 2);
      expect(ev.event).toEqual({ type: EventType.NodeCreated, state: 3, path: '/z' });
    }
  });

  it('catches up with setWatches before its reply and answers reads in order', () => {
    const h = new Harness();
    h.connect(1);
    h.request(1, 1, create('/a'));
    h.request(1, 2, { type: 5, body: { path: '/a', data: null, version: -1 } });
    const r = h.request(1, 3, { type: 101, body: { relativeZxid: 2, dataWatches: ['/a'], existWatches: ['/b'], childWatches: [] } });
    expect(r.frames).toHaveLength(2);
    const ev = decodeNotification(r.frames[0]);
    expect(ev.header.zxid).toBe(-1);
    expect(ev.event).toMatchObject({ type: EventType.NodeDataChanged, path: '/a' });
    expect(r.header).toEqual({ xid: 3, zxid: 3, err: 0 });
    const created = h.request(1, 4, create('/b'));
    expect(decodeNotification(created.frames[0]).event).toMatchObject({ type: EventType.NodeCreated, path: '/b' });
  });

  it('serves multiRead, getEphemerals, getAllChildrenNumber and sync', () => {
    const h = new Harness();
    h.connect(1);
    h.request(1, 1, create('/r'));
    h.request(1, 2, create('/r/e1', 1));
    h.request(1, 3, create('/r/e2', 1));
    const m = h.request(1, 4, { type: 22, body: { ops: [{ type: 4, request: { path: '/r', watch: false } }, { type: 8, request: { path: '/none', watch: false } }] } });
    expect(m.body.results[0]).toMatchObject({ type: 4, response: { data: Buffer.from('d') } });
    expect(m.body.results[1]).toEqual({ type: -1, response: { err: ErrorCode.NONODE } });
    expect(h.request(1, 5, { type: 103, body: { path: '/r/e' } }).body.ephemerals.sort()).toEqual(['/r/e1', '/r/e2']);
    expect(h.request(1, 6, { type: 104, body: { path: '/' } }).body).toEqual({ totalNumber: 6 });
    expect(h.request(1, 7, { type: 9, body: { path: '/r' } }).body).toEqual({ path: '/r' });
    expect(h.request(1, 8, { type: 16, body: { joiningServers: '', leavingServers: '', newMembers: '', curConfigId: -1 } }).header).toEqual({ xid: 8, zxid: 5, err: ErrorCode.RECONFIGDISABLED });
  });

  it('closeSession deletes ephemerals, replies, then closes; the session cannot be resumed', () => {
    const h = new Harness();
    const s = h.connect(1)!;
    h.request(1, 1, create('/gone', 1));
    const r = h.request(1, 2, { type: -11, body: null });
    expect(r.header).toEqual({ xid: 2, zxid: 3, err: 0 });
    expect(h.closed.get(1)).toBe('session closed');
    expect(h.core.tree.getNode('/gone')).toBeUndefined();
    expect(h.connect(2, { sessionId: s.sessionId, passwd: s.passwd })!.timeOut).toBe(0);
  });

  it('rejects writes with the right error codes in ZooKeeper order', () => {
    const h = new Harness();
    h.connect(1);
    expect(h.request(1, 1, create('/x', 9)).header.err).toBe(ErrorCode.BADARGUMENTS);
    expect(h.request(1, 2, create('/x', 5)).header.err).toBe(ErrorCode.UNIMPLEMENTED);
    expect(h.request(1, 3, { type: 1, body: { path: '/x', data: null, acl: [], flags: 0 } }).header.err).toBe(ErrorCode.INVALIDACL);
    expect(h.request(1, 4, create('/no/x')).header.err).toBe(ErrorCode.NONODE);
    expect(h.request(1, 5, create('/.')).header.err).toBe(ErrorCode.BADARGUMENTS);
    expect(h.request(1, 6, create('/zookeeper')).header.err).toBe(ErrorCode.NODEEXISTS);
    expect(h.request(1, 7, { type: 2, body: { path: '/zookeeper', version: -1 } }).header.err).toBe(ErrorCode.BADARGUMENTS);
    expect(h.request(1, 8, { type: 2, body: { path: '/zookeeper/x', version: -1 } }).header.err).toBe(ErrorCode.NONODE);
    h.request(1, 9, create('/p'));
    h.request(1, 10, create('/p/c'));
    expect(h.request(1, 11, { type: 2, body: { path: '/p', version: 3 } }).header.err).toBe(ErrorCode.BADVERSION);
    expect(h.request(1, 12, { type: 2, body: { path: '/p', version: 0 } }).header.err).toBe(ErrorCode.NOTEMPTY);
    expect(h.request(1, 13, { type: 7, body: { path: '/p', acl: openAcl, version: 1 } }).header.err).toBe(ErrorCode.BADVERSION);
    const set = h.request(1, 14, { type: 7, body: { path: '/p', acl: openAcl, version: 0 } });
    expect(set.body.stat).toMatchObject({ aversion: 1, mzxid: 10 });
    // Every write, failed or not, consumed a zxid: session 1, then 14 writes.
    expect(h.core.lastProcessedZxid).toBe(15);
  });
});

describe('whoAmI order', () => {
  it('lists ids in the order ZooKeeper 3.8 prints them (its hash set order)', () => {
    const h = new Harness();
    h.connect(1);
    h.request(1, -4, { type: 100, body: { type: 0, scheme: 'digest', auth: Buffer.from('bob:secret') } });
    // Apache 3.8.0 printed `digest: bob` before `ip: 127.0.0.1` for this connection.
    expect(h.request(1, 1, { type: 107, body: null }).body.clientInfo).toEqual([
      { authScheme: 'digest', user: 'bob' },
      { authScheme: 'ip', user: '127.0.0.1' },
    ]);
  });
});

describe('exists and READ', () => {
  it('checks READ on an existing node unless existsChecksRead is off (Apache 3.8.0)', () => {
    for (const checks of [true, false]) {
      const h = new Harness({ existsChecksRead: checks });
      h.connect(1);
      h.request(1, 1, { type: 1, body: { path: '/adm', data: null, acl: [{ perms: 16, id: { scheme: 'world', id: 'anyone' } }], flags: 0 } });
      expect(h.request(1, 2, { type: 3, body: { path: '/adm', watch: false } }).header.err).toBe(checks ? ErrorCode.NOAUTH : 0);
      expect(h.request(1, 3, { type: 4, body: { path: '/adm', watch: false } }).header.err).toBe(ErrorCode.NOAUTH);
    }
  });
});

describe('super digest', () => {
  it('grants every permission to a connection that authenticates as the super user', () => {
    const h = new Harness({ superDigest: digestId('super:pw') });
    h.connect(1);
    h.connect(2);
    h.request(1, 1, { type: 1, body: { path: '/locked', data: Buffer.from('s'), acl: [{ perms: 1, id: { scheme: 'ip', id: '10.9.9.9' } }], flags: 0 } });
    expect(h.request(2, 1, { type: 4, body: { path: '/locked', watch: false } }).header.err).toBe(ErrorCode.NOAUTH);
    h.request(2, -4, { type: 100, body: { type: 0, scheme: 'digest', auth: Buffer.from('super:pw') } });
    expect(h.request(2, 2, { type: 4, body: { path: '/locked', watch: false } }).header.err).toBe(0);
    expect(h.request(2, 3, { type: 2, body: { path: '/locked', version: -1 } }).header.err).toBe(0);
  });
});
