/**
 * A scripted watch-delivery flow with its readable trace. Two clients, A (connection 1) and B
 * (connection 2). The trace proves: notifications reach each connection before the reply that
 * follows them; an exists watch on a missing node fires NodeCreated; a connection holding data and
 * child watches on a deleted node gets one NodeDeleted; a recursive watch sees descendants but never
 * NodeChildrenChanged; one-shot watches are consumed; and the notification zxid is the txn's.
 */
import {
  decodeNotification,
  decodeReplyHeader,
  encodeConnectRequest,
  encodeRequest,
  Request,
} from '@coord/protocol';
import { perConnection, RequestPipeline } from './index';

const eventNames: Record<number, string> = { 1: 'NodeCreated', 2: 'NodeDeleted', 3: 'NodeDataChanged', 4: 'NodeChildrenChanged' };
const openAcl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

function run(script: [string, number, Request][]): string {
  const core = new RequestPipeline({}, { now: () => 1_000_000, randomBytes: (n) => Buffer.alloc(n, 1) });
  const names = new Map([[1, 'A'], [2, 'B']]);
  const lines: string[] = [];
  const drain = () => {
    for (;;) {
      const { toPersist, effects } = core.ready();
      for (const e of perConnection(effects)) {
        if (e.kind !== 'send') continue;
        const body = e.frame.subarray(4);
        const who = names.get(e.connId);
        const header = decodeReplyHeader(body);
        if (header.xid === -1) {
          const { event } = decodeNotification(body);
          lines.push(`${who} <- event ${eventNames[event.type]} ${event.path} zxid=${header.zxid}`);
        } else if (body.length > 16 || header.err !== 0 || header.xid > 0) {
          lines.push(`${who} <- reply xid=${header.xid} zxid=${header.zxid} err=${header.err}`);
        }
      }
      if (toPersist.length === 0) return;
      core.advance(toPersist[toPersist.length - 1].zxid);
    }
  };
  for (const id of [1, 2]) {
    core.connectionOpened({ id, remoteAddress: '127.0.0.1', remotePort: id });
    core.receive(id, encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }).subarray(4));
  }
  drain();
  lines.length = 0;
  let xid = 1;
  for (const [label, conn, req] of script) {
    lines.push(`${names.get(conn)} -> ${label}`);
    core.receive(conn, encodeRequest(xid++, req).subarray(4));
    drain();
  }
  return lines.join('\n');
}

const create = (path: string): Request => ({ type: 1, body: { path, data: null, acl: openAcl, flags: 0 } });

it('delivers watch events in the documented order', () => {
  const trace = run([
    ['exists /a watch', 2, { type: 3, body: { path: '/a', watch: true } }],
    ['addWatch / recursive', 2, { type: 106, body: { path: '/', mode: 1 } }],
    ['create /a', 1, create('/a')],
    ['getData /a watch', 2, { type: 4, body: { path: '/a', watch: true } }],
    ['getChildren /a watch', 2, { type: 8, body: { path: '/a', watch: true } }],
    ['getChildren / watch', 1, { type: 8, body: { path: '/', watch: true } }],
    ['create /a/b', 1, create('/a/b')],
    ['delete /a/b', 1, { type: 2, body: { path: '/a/b', version: -1 } }],
    ['delete /a', 1, { type: 2, body: { path: '/a', version: -1 } }],
    ['create /a', 1, create('/a')],
  ]);
  expect(trace).toBe(
    [
      'B -> exists /a watch',
      'B <- reply xid=1 zxid=2 err=-101',
      'B -> addWatch / recursive',
      'B <- reply xid=2 zxid=2 err=0',
      'A -> create /a',
      'B <- event NodeCreated /a zxid=3',
      'A <- reply xid=3 zxid=3 err=0',
      'B -> getData /a watch',
      'B <- reply xid=4 zxid=3 err=0',
      'B -> getChildren /a watch',
      'B <- reply xid=5 zxid=3 err=0',
      'A -> getChildren / watch',
      'A <- reply xid=6 zxid=3 err=0',
      'A -> create /a/b',
      'B <- event NodeCreated /a/b zxid=4',
      'B <- event NodeChildrenChanged /a zxid=4',
      'A <- reply xid=7 zxid=4 err=0',
      'A -> delete /a/b',
      'B <- event NodeDeleted /a/b zxid=5',
      'A <- reply xid=8 zxid=5 err=0',
      'A -> delete /a',
      'B <- event NodeDeleted /a zxid=6',
      'A <- event NodeChildrenChanged / zxid=6',
      'A <- reply xid=9 zxid=6 err=0',
      'A -> create /a',
      'B <- event NodeCreated /a zxid=7',
      'A <- reply xid=10 zxid=7 err=0',
    ].join('\n'),
  );
});
