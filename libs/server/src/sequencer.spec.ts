/** The sequencer (prep across txns prepared but not yet applied), as the standalone node and a leader use it. */
import { DataTree } from '@coord/data-tree';
import { ACL, encodeRequest as encodeClientRequest, ErrorCode, OpCode, Perms } from '@coord/protocol';
import { PreparedTxn, preparedPerViewMax, Sequencer } from './sequencer';
import { SessionTracker } from './sessions';

const tickTimeMs = 100;
const sessionTimeoutMs = 10_000;
const openAcl: ACL[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];

describe('Sequencer', () => {
  function setup() {
    let now = 1_000_000;
    const tree = new DataTree();
    const sessions = new SessionTracker(tickTimeMs, 1, now);
    sessions.setSecret(Buffer.alloc(32, 7));
    const sessionId = sessions.allocateId();
    sessions.add(sessionId, sessionTimeoutMs, now);
    const prep = new Sequencer(() => tree, sessions, { extendedTypesEnabled: false, frameBytesMax: 1 << 20, now: () => ++now, randomBytes: (n) => Buffer.alloc(n, 9) });
    let zxid = 0x100000000;
    const proposed: PreparedTxn[] = [];
    const drain = () => prep.drain((p) => (proposed.push(p), ++zxid));
    const applyAll = () => {
      let z = 0x100000000;
      for (const p of proposed.splice(0)) tree.applyTxn({ ...p.txn, zxid: ++z });
      prep.applied(zxid);
    };
    const write = (xid: number, body: Parameters<typeof encodeClientRequest>[1]) =>
      prep.offer({ kind: 'write', origin: 2, sessionId, ids: [], frame: encodeClientRequest(xid, body).subarray(4) });
    return { prep, proposed, drain, applyAll, write, sessionId };
  }
  const create = (p: string, flags = 0) => ({ type: OpCode.create, body: { path: p, data: null, acl: openAcl, flags } }) as const;

  it('preps against outstanding proposals: a second create of one path fails, sequence numbers advance', () => {
    const { proposed, drain, write } = setup();
    write(1, create('/x'));
    write(2, create('/x'));
    write(3, create('/s-', 2));
    write(4, create('/s-', 2));
    drain();
    expect(proposed.map((p) => p.txn.op)).toEqual([
      expect.objectContaining({ type: 'create', path: '/x' }),
      { type: 'error', err: ErrorCode.NODEEXISTS },
      expect.objectContaining({ type: 'create', path: '/s-0000000001' }),
      expect.objectContaining({ type: 'create', path: '/s-0000000002' }),
    ]);
    expect(proposed.map((p) => p.txn.cxid)).toEqual([1, 2, 3, 4]);
  });

  it('gives a multi a view of its own and holds later requests until it is applied', () => {
    const { prep, proposed, drain, applyAll, write } = setup();
    write(1, create('/a'));
    write(2, { type: OpCode.multi, body: { ops: [create('/b'), create('/a')].map((c) => ({ type: c.type, request: c.body })) } });
    write(3, create('/b'));
    drain();
    expect(proposed).toHaveLength(1);
    applyAll();
    drain();
    // The failed multi recorded /b in its view; the create of /b must not be prepped against that view.
    expect(proposed.map((p) => p.txn.op.type)).toEqual(['multi']);
    expect(prep.waitingCount).toBe(1);
    applyAll();
    drain();
    expect(proposed.map((p) => p.txn.op)).toEqual([expect.objectContaining({ type: 'create', path: '/b' })]);
  });

  it('bounds the proposals that share one view', () => {
    const { prep, proposed, drain, applyAll, write } = setup();
    for (let i = 0; i < preparedPerViewMax + 5; i++) write(i + 1, create(`/n${i}`));
    drain();
    expect(proposed).toHaveLength(preparedPerViewMax);
    expect(prep.waitingCount).toBe(5);
    applyAll();
    drain();
    expect(proposed).toHaveLength(5);
  });

  it('answers SESSIONEXPIRED for an unknown session', () => {
    const { prep, proposed, drain } = setup();
    prep.offer({ kind: 'write', origin: 2, sessionId: 42n, ids: [], frame: encodeClientRequest(1, create('/z')).subarray(4) });
    drain();
    expect(proposed[0].txn.op).toEqual({ type: 'error', err: ErrorCode.SESSIONEXPIRED });
  });
});


describe('session secret', () => {
  it('rides on the first createSession a sequencer without one places, once per term; the first applied one stays', () => {
    const tree = new DataTree();
    const sessions = new SessionTracker(tickTimeMs, 1, 0);
    let draws = 0;
    const seq = new Sequencer(() => tree, sessions, { extendedTypesEnabled: false, frameBytesMax: 1 << 20, now: () => 5, randomBytes: (n) => Buffer.alloc(n, ++draws) });
    const placed: PreparedTxn[] = [];
    let zxid = 0;
    const drain = () => seq.drain((p) => (placed.push(p), ++zxid));
    seq.offer({ kind: 'createSession', origin: 1, sessionId: 42n, timeOut: 4000 });
    seq.offer({ kind: 'createSession', origin: 1, sessionId: 43n, timeOut: 4000 });
    drain();
    const ops = placed.map((p) => p.txn.op as { type: string; secret?: Buffer });
    expect(ops.map((o) => o.type)).toEqual(['createSession', 'createSession']);
    expect(ops[0].secret).toHaveLength(32);
    expect(ops[1].secret).toBeUndefined();
    expect(sessions.passwordFor(42n)).toBeNull();
    sessions.setSecret(ops[0].secret as Buffer);
    const password = sessions.passwordFor(42n);
    expect(password).toHaveLength(16);
    sessions.setSecret(Buffer.alloc(32, 99));
    expect(sessions.passwordFor(42n)).toEqual(password);
    // A new term with the secret applied attaches none.
    seq.reset();
    seq.offer({ kind: 'createSession', origin: 1, sessionId: 44n, timeOut: 4000 });
    drain();
    expect((placed[2].txn.op as { secret?: Buffer }).secret).toBeUndefined();
    expect(draws).toBe(1);
  });
});

describe('session owner (SESSIONMOVED)', () => {
  it('refuses a write or close from the member a session has left, and accepts them from its new member', () => {
    const tree = new DataTree();
    const sessions = new SessionTracker(tickTimeMs, 1, 0);
    sessions.setSecret(Buffer.alloc(32, 1));
    const seq = new Sequencer(() => tree, sessions, { extendedTypesEnabled: false, frameBytesMax: 1 << 20, now: () => 5, randomBytes: (n) => Buffer.alloc(n, 2) });
    const placed: PreparedTxn[] = [];
    let zxid = 0;
    const drain = () => seq.drain((p) => (placed.push(p), ++zxid));
    const write = (origin: number, xid: number, path: string) =>
      seq.offer({ kind: 'write', origin, sessionId: 42n, ids: [], frame: encodeClientRequest(xid, { type: OpCode.create, body: { path, data: null, acl: openAcl, flags: 0 } }).subarray(4) });
    seq.offer({ kind: 'createSession', origin: 1, sessionId: 42n, timeOut: 4000 });
    drain();
    sessions.add(42n, 4000, 0);
    write(1, 1, '/a');
    drain();
    write(1, 2, '/late');
    // The move takes effect when offered, as ZooKeeper's revalidation: what its old member sent and the
    // sequencer has not prepared yet is refused too.
    seq.offer({ kind: 'moveSession', origin: 2, sessionId: 42n });
    write(2, 3, '/b');
    seq.offer({ kind: 'closeSession', origin: 1, sessionId: 42n, cxid: 4 });
    drain();
    expect(placed.slice(1).map((p) => [p.txn.cxid, p.txn.op.type, (p.txn.op as { err?: number }).err])).toEqual([
      [1, 'create', undefined],
      [2, 'error', ErrorCode.SESSIONMOVED],
      [3, 'create', undefined],
      [4, 'error', ErrorCode.SESSIONMOVED],
    ]);
    // A new term knows no owners: the first member to speak for the session is accepted.
    seq.reset();
    write(1, 5, '/c');
    drain();
    expect(placed[placed.length - 1].txn.op.type).toBe('create');
  });
});
