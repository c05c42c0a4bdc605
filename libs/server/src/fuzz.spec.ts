import {
  decodeReplyHeader,
  encodeConnectRequest,
  encodeRequest,
  Request,
} from '@coord/protocol';
import { perConnection, RequestPipeline } from './index';
import { seededRand } from '@coord/zab';

const openAcl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const samples: Request[] = [
  { type: 1, body: { path: '/f', data: Buffer.from('x'), acl: openAcl, flags: 3 } },
  { type: 2, body: { path: '/f', version: -1 } },
  { type: 4, body: { path: '/', watch: true } },
  { type: 5, body: { path: '/f', data: null, version: -1 } },
  { type: 7, body: { path: '/f', acl: openAcl, version: -1 } },
  { type: 12, body: { path: '/', watch: true } },
  { type: 14, body: { ops: [{ type: 1, request: { path: '/m', data: null, acl: openAcl, flags: 2 } }, { type: 13, request: { path: '/m', version: 0 } }] } },
  { type: 22, body: { ops: [{ type: 4, request: { path: '/', watch: false } }] } },
  { type: 101, body: { relativeZxid: 0, dataWatches: ['/a'], existWatches: ['/b'], childWatches: ['/'] } },
  { type: 106, body: { path: '/', mode: 1 } },
  { type: 100, body: { type: 0, scheme: 'digest', auth: Buffer.from('u:p') } },
  { type: 103, body: { path: '/' } },
  { type: 107, body: null },
];

describe('RequestPipeline under random and mutated frames', () => {
  it('never throws and keeps serving a healthy session', () => {
    const seed = 20261125;
    const rand = seededRand(seed).next;
    let clock = 1_700_000_000_000;
    const core = new RequestPipeline({ extendedTypesEnabled: true }, { now: () => clock, randomBytes: (n) => Buffer.alloc(n, 7) });
    const hello = encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }).subarray(4);
    core.connectionOpened({ id: 1, remoteAddress: '127.0.0.1', remotePort: 1 });
    core.receive(1, hello);
    let nextConn = 2;
    const live: number[] = [];
    for (let i = 0; i < 5000; i++) {
      if (live.length < 5 || rand() < 0.05) {
        const id = nextConn++;
        core.connectionOpened({ id, remoteAddress: '10.0.0.1', remotePort: id });
        if (rand() < 0.8) core.receive(id, hello);
        live.push(id);
      }
      const conn = live[Math.floor(rand() * live.length)];
      let frame: Buffer;
      if (rand() < 0.3) {
        frame = Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)));
      } else {
        frame = Buffer.from(encodeRequest(i, samples[Math.floor(rand() * samples.length)]).subarray(4));
        const flips = Math.floor(rand() * 4);
        for (let f = 0; f < flips && frame.length > 0; f++) frame[Math.floor(rand() * frame.length)] = Math.floor(rand() * 256);
        if (rand() < 0.2) frame = frame.subarray(0, Math.floor(rand() * frame.length));
      }
      expect(() => core.receive(conn, frame)).not.toThrow();
      if (rand() < 0.02) core.connectionClosed(live.splice(live.indexOf(conn), 1)[0]);
      // The healthy client pings like a real one would, so only the fuzzed sessions may expire.
      if (i % 100 === 0) core.receive(1, encodeRequest(-2, { type: 11, body: null }).subarray(4));
      clock += Math.floor(rand() * 50);
      core.tick();
      const { toPersist } = core.ready();
      if (toPersist.length > 0) core.advance(toPersist[toPersist.length - 1].zxid);
      core.ready();
    }
    // The first connection's session still answers, in order.
    core.receive(1, encodeRequest(-2, { type: 11, body: null }).subarray(4));
    core.receive(1, encodeRequest(99999, { type: 3, body: { path: '/', watch: false } }).subarray(4));
    const { effects } = core.ready();
    const mine = perConnection(effects).filter((e) => e.connId === 1 && e.kind === 'send').map((e) => decodeReplyHeader((e as { frame: Buffer }).frame.subarray(4)));
    expect(mine.slice(-2)).toEqual([
      { xid: -2, zxid: core.lastProcessedZxid, err: 0 },
      { xid: 99999, zxid: core.lastProcessedZxid, err: 0 },
    ]);
  });
});
