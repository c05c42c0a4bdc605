/**
 * Codec microbenchmark: the byte writer and reader on their hot paths, through each format's public
 * functions (client requests and replies, the txn log, ensemble payloads, ZAB messages). Run:
 *   npx nx run bench:codec --args="...", or node -r @swc-node/register tools/bench/src/codec-bench.ts [--rounds=5] [--ms=400] [--only=<part of a case name>]
 * (SWC_NODE_PROJECT=tsconfig.base.json). Prints the median CPU ns per call of each case over the rounds.
 */
import { decodeReplyBody, decodeRequest, encodeReply, encodeRequest, OpCode, type Request, type Stat } from '@coord/protocol';
import { encodeLogHeader, encodeRecords, scanLog } from '@coord/storage';
import { decodeTxnPayload, encodeTxnPayload } from '@coord/envelope';
import { decodeMessage, encodeMessage, type Message } from '@coord/zab';
import type { Txn } from '@coord/data-tree';

function flag(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.slice(name.length + 3)) : fallback;
}

const stat: Stat = {
  czxid: 0x1_0000_0005, mzxid: 0x1_0000_0105, ctime: 1_700_000_000_123, mtime: 1_700_000_000_456, version: 7,
  cversion: 2, aversion: 0, ephemeralOwner: 0n, dataLength: 100, numChildren: 0, pzxid: 0x1_0000_0005,
};
const value = Buffer.alloc(100, 7);
const setData: Request = { type: OpCode.setData, body: { path: '/bench/n3', data: value, version: -1 } };
const setFrame = encodeRequest(42, setData);
const getReply = encodeReply({ xid: 42, zxid: 0x1_0000_0105, err: 0 }, OpCode.getData, { data: value, stat });
const children = Array.from({ length: 100 }, (_, i) => `member-${String(i).padStart(10, '0')}`);
const childrenReply = encodeReply({ xid: 43, zxid: 0x1_0000_0105, err: 0 }, OpCode.getChildren, { children });
const txn: Txn = { zxid: 0x1_0000_0105, time: 1_700_000_000_456, sessionId: 0x0100_0000_0000_0001n, cxid: 42, op: { type: 'setData', path: '/bench/n3', data: value, version: 8 } };
const txns = Array.from({ length: 64 }, (_, i) => ({ ...txn, zxid: txn.zxid + i }));
const logBytes = Buffer.concat([encodeLogHeader({ dbid: 1n, startZxid: txn.zxid }), encodeRecords(txns)]);
if (scanLog(logBytes).records.length !== txns.length) throw new Error('bench log does not scan');
const payload = encodeTxnPayload(2, txn);
const proposal: Message<Uint8Array> = { type: 'PROPOSAL', from: 1, to: 2, conn: 7, seq: 12345, txn: { zxid: txn.zxid, payload } };
const proposalBytes = encodeMessage(proposal);

const cases: Record<string, () => unknown> = {
  'protocol encodeRequest setData': () => encodeRequest(42, setData),
  'protocol decodeRequest setData': () => decodeRequest(setFrame.subarray(4)),
  'protocol encodeReply getData': () => encodeReply({ xid: 42, zxid: 0x1_0000_0105, err: 0 }, OpCode.getData, { data: value, stat }),
  'protocol decodeReplyBody getData': () => decodeReplyBody(getReply.subarray(4), OpCode.getData),
  'protocol encodeReply getChildren(100)': () => encodeReply({ xid: 43, zxid: 0x1_0000_0105, err: 0 }, OpCode.getChildren, { children }),
  'protocol decodeReplyBody getChildren(100)': () => decodeReplyBody(childrenReply.subarray(4), OpCode.getChildren),
  'storage encodeRecords(64 setData)': () => encodeRecords(txns),
  'storage scanLog(64 setData)': () => scanLog(logBytes),
  'envelope encodeTxnPayload': () => encodeTxnPayload(2, txn),
  'envelope decodeTxnPayload': () => decodeTxnPayload(payload, txn.zxid),
  'zab encodeMessage PROPOSAL': () => encodeMessage(proposal),
  'zab decodeMessage PROPOSAL': () => decodeMessage(proposalBytes),
};

let sink: unknown;
/** CPU time (user + system) per call, in ns: the machine is shared, so wall time would count other work. */
function measure(fn: () => unknown, ms: number): number {
  let n = 0;
  const t0 = process.hrtime.bigint();
  const until = t0 + BigInt(ms) * 1_000_000n;
  const cpu0 = process.cpuUsage();
  while (process.hrtime.bigint() < until) {
    for (let i = 0; i < 1000; i++) sink = fn();
    n += 1000;
  }
  const cpu = process.cpuUsage(cpu0);
  return ((cpu.user + cpu.system) * 1000) / n;
}

const rounds = flag('rounds', 5);
const ms = flag('ms', 400);
const results: Record<string, number[]> = {};
// Every case warms up, so the shared writer and reader have seen every format (as in a node) even when
// --only measures a few.
for (const fn of Object.values(cases)) measure(fn, ms / 2);
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
if (only !== undefined) for (const name of Object.keys(cases)) if (!name.includes(only)) delete cases[name];
for (let round = 0; round < rounds; round++) {
  for (const [name, fn] of Object.entries(cases)) (results[name] ??= []).push(measure(fn, ms));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log('| case | median CPU ns/call |\n|---|---:|');
for (const [name, xs] of Object.entries(results)) console.log(`| ${name} | ${median(xs).toFixed(0)} |`);
void sink;
