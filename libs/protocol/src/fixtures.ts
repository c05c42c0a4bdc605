/**
 * Sample records for the codec tests: every request and response shape, with the awkward values
 * (null vs empty buffers, empty vectors, negative and > 2^32 longs, session ids above 2^63, non-ASCII).
 */
import type { ACL, MultiOp, MultiResult, Request, ResponseBody, Stat } from './types';

export const sampleStat: Stat = {
  czxid: 0x1_0000_0005,
  mzxid: 0x7_ffff_fffe,
  ctime: 1_700_000_000_123,
  mtime: 1_700_000_000_456,
  version: 7,
  cversion: -2,
  aversion: 2_147_483_647,
  ephemeralOwner: 0xff00_0000_0000_0001n,
  dataLength: 5,
  numChildren: 3,
  pzxid: -1,
};

export const openAcl: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
export const twoAcls: ACL[] = [
  { perms: 1, id: { scheme: 'digest', id: 'user:abc=' } },
  { perms: 16, id: { scheme: 'ip', id: '10.0.0.0/8' } },
];

const create = { path: '/a/ü-€', data: Buffer.from('hello'), acl: openAcl, flags: 0 };

export const sampleMultiOps: MultiOp[] = [
  { type: 1, request: create },
  { type: 15, request: { path: '/b', data: null, acl: twoAcls, flags: 2 } },
  { type: 19, request: { path: '/c', data: Buffer.alloc(0), acl: [], flags: 4 } },
  { type: 21, request: { path: '/t', data: Buffer.from('t'), acl: openAcl, flags: 5, ttl: 0x1_0000_0000 } },
  { type: 2, request: { path: '/d', version: -1 } },
  { type: 5, request: { path: '/s', data: Buffer.from([0, 255]), version: 3 } },
  { type: 13, request: { path: '/k', version: 9 } },
];

export const sampleReadOps: MultiOp[] = [
  { type: 4, request: { path: '/r', watch: false } },
  { type: 8, request: { path: '/r', watch: true } },
];

/** One request of every opcode, plus variants for null/empty fields. */
export const sampleRequests: Request[] = [
  { type: 1, body: create },
  { type: 1, body: { ...create, data: null, acl: [] } },
  { type: 1, body: { ...create, data: Buffer.alloc(0), acl: twoAcls, flags: 3 } },
  { type: 15, body: create },
  { type: 19, body: { ...create, flags: 4 } },
  { type: 21, body: { ...create, flags: 6, ttl: 86_400_000 } },
  { type: 2, body: { path: '/a', version: -1 } },
  { type: 3, body: { path: '/a', watch: true } },
  { type: 4, body: { path: '/a', watch: false } },
  { type: 5, body: { path: '/a', data: Buffer.from('x'.repeat(300)), version: 12 } },
  { type: 5, body: { path: '/a', data: null, version: -1 } },
  { type: 6, body: { path: '/a' } },
  { type: 7, body: { path: '/a', acl: twoAcls, version: 1 } },
  { type: 8, body: { path: '/', watch: true } },
  { type: 9, body: { path: '/a' } },
  { type: 12, body: { path: '/a', watch: false } },
  { type: 13, body: { path: '/a', version: 4 } },
  { type: 14, body: { ops: sampleMultiOps } },
  { type: 14, body: { ops: [] } },
  { type: 22, body: { ops: sampleReadOps } },
  { type: 16, body: { joiningServers: 'server.4=h:1:2;3', leavingServers: '', newMembers: '', curConfigId: -1 } },
  { type: 17, body: { path: '/a', type: 2 } },
  { type: 18, body: { path: '/a', type: 3 } },
  { type: 20, body: { path: '/cont' } },
  { type: 100, body: { type: 0, scheme: 'digest', auth: Buffer.from('u:p') } },
  { type: 100, body: { type: 0, scheme: 'x', auth: null } },
  { type: 101, body: { relativeZxid: 0x2_0000_0001, dataWatches: ['/a', '/b'], existWatches: [], childWatches: ['/'] } },
  {
    type: 105,
    body: {
      relativeZxid: 5,
      dataWatches: [],
      existWatches: ['/e'],
      childWatches: [],
      persistentWatches: ['/p'],
      persistentRecursiveWatches: ['/r', '/s'],
    },
  },
  { type: 102, body: { token: Buffer.from([1, 2, 3]) } },
  { type: 102, body: { token: null } },
  { type: 103, body: { path: '/' } },
  { type: 104, body: { path: '/a' } },
  { type: 106, body: { path: '/a', mode: 1 } },
  { type: 107, body: null },
  { type: 11, body: null },
  { type: -11, body: null },
];

export const sampleMultiResults: MultiResult[] = [
  { type: 1, response: { path: '/a' } },
  { type: 15, response: { path: '/b0000000001', stat: sampleStat } },
  { type: 2, response: null },
  { type: 13, response: null },
  { type: 5, response: { stat: sampleStat } },
  { type: 4, response: { data: null, stat: sampleStat } },
  { type: 8, response: { children: ['x', 'y'] } },
  { type: -1, response: { err: 0 } },
];

/** A failed multi: OK before the failure, the error at it, RUNTIMEINCONSISTENCY after it. */
export const failedMultiResults: MultiResult[] = [
  { type: -1, response: { err: 0 } },
  { type: -1, response: { err: -101 } },
  { type: -1, response: { err: -2 } },
];

/** [opcode, successful response body] for every opcode with a response record. */
export const sampleResponses: [number, ResponseBody][] = [
  [1, { path: '/a0000000007' }],
  [15, { path: '/a', stat: sampleStat }],
  [19, { path: '/cont', stat: sampleStat }],
  [21, { path: '/ttl', stat: sampleStat }],
  [3, { stat: sampleStat }],
  [5, { stat: sampleStat }],
  [7, { stat: sampleStat }],
  [4, { data: Buffer.from('hello'), stat: sampleStat }],
  [4, { data: null, stat: sampleStat }],
  [4, { data: Buffer.alloc(0), stat: sampleStat }],
  [16, { data: Buffer.from('server.1=...'), stat: sampleStat }],
  [6, { acl: twoAcls, stat: sampleStat }],
  [6, { acl: [], stat: sampleStat }],
  [8, { children: ['a', 'b', 'ü'] }],
  [8, { children: [] }],
  [12, { children: ['a'], stat: sampleStat }],
  [9, { path: '/a' }],
  [14, { results: sampleMultiResults }],
  [14, { results: failedMultiResults }],
  [14, { results: [] }],
  [22, { results: [sampleMultiResults[5], sampleMultiResults[6], { type: -1, response: { err: -101 } }] }],
  [102, { token: Buffer.from('tok') }],
  [102, { token: null }],
  [103, { ephemerals: ['/e1', '/x/e2'] }],
  [104, { totalNumber: 3 }],
  [106, { err: 0 }],
  [107, { clientInfo: [{ authScheme: 'ip', user: '127.0.0.1' }, { authScheme: 'digest', user: 'u' }] }],
  [107, { clientInfo: [] }],
];

/** Opcodes whose successful reply is the header alone. */
export const headerOnlyOpcodes = [2, 11, 13, 17, 18, 20, 100, 101, 105, -11];
