/**
 * Offline views of a log or snapshot file, as text lines or JSON lines (one object per line), in the
 * spirit of ZooKeeper's TxnLogToolkit and SnapshotFormatter. They read the file as it is and report
 * a problem as a final line instead of throwing, so a damaged file can still be looked at.
 */
import type { ACL } from '@coord/protocol';
import type { Txn, TxnOp } from '@coord/data-tree';
import { ephemeralKind } from '@coord/data-tree';
import { StorageError } from './errors';
import { scanLog } from './log-format';
import { decodeSnapshot } from './snapshot-read';

const hex = (n: number | bigint) => '0x' + BigInt.asUintN(64, BigInt(n)).toString(16);

function dataText(data: Buffer | null): string {
  if (data === null) return 'null';
  const s = data.toString('utf8');
  // Show printable data as text, anything else as base64.
  return /^[\x20-\x7e]*$/.test(s) ? JSON.stringify(s) : `base64:${data.toString('base64')}`;
}

function aclText(acl: ACL[]): string {
  return acl.map((a) => `${a.id.scheme}:${a.id.id}:${a.perms}`).join(',');
}

function opText(op: TxnOp): string {
  switch (op.type) {
    case 'create':
      return `create ${op.path} data=${dataText(op.data)} acl=${aclText(op.acl)}${op.ephemeralOwner !== 0n ? ` owner=${hex(op.ephemeralOwner)}(${ephemeralKind(op.ephemeralOwner)})` : ''}`;
    case 'delete':
    case 'check':
      return `${op.type} ${op.path}`;
    case 'setData':
      return `setData ${op.path} data=${dataText(op.data)} version=${op.version}`;
    case 'setACL':
      return `setACL ${op.path} acl=${aclText(op.acl)} aversion=${op.aversion}`;
    case 'error':
      return `error ${op.err}`;
    case 'createSession':
      return `createSession timeOut=${op.timeOut}${op.secret ? ` (carries the session secret, ${op.secret.length} bytes, not shown)` : ''}`;
    case 'closeSession':
      return 'closeSession';
    case 'multi':
      return `multi [${op.ops.map(opText).join('; ')}]`;
  }
}

/** Data for JSON: printable text as is, anything else as "base64:<...>". */
function dataJson(data: Buffer): string {
  const s = data.toString('utf8');
  return /^[\x20-\x7e]*$/.test(s) ? s : `base64:${data.toString('base64')}`;
}

/** JSON-safe copy: bigints as hex strings, buffers as text or base64. */
function jsonable(value: unknown): unknown {
  if (typeof value === 'bigint') return hex(value);
  if (Buffer.isBuffer(value)) return dataJson(value);
  if (Array.isArray(value)) return value.map(jsonable);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonable(v);
    return out;
  }
  return value;
}

/** The session secret never leaves the data directory through the inspector. */
function redacted(op: TxnOp): unknown {
  return op.type === 'createSession' && op.secret ? { type: op.type, timeOut: op.timeOut, secretBytes: op.secret.length } : op;
}

export function txnText(t: Txn): string {
  return `${new Date(t.time).toISOString()} session ${hex(t.sessionId)} cxid ${hex(t.cxid)} zxid ${hex(t.zxid)} ${opText(t.op)}`;
}

export function inspectLog(buf: Buffer, file: string, json: boolean): string[] {
  const scan = scanLog(buf);
  const out: string[] = [];
  if (scan.header) {
    const h = scan.header;
    out.push(json ? JSON.stringify({ file, version: h.version, dbid: hex(h.dbid), startZxid: hex(h.startZxid) }) : `${file}: log version ${h.version}, dbid ${hex(h.dbid)}, start zxid ${hex(h.startZxid)}`);
  }
  for (const r of scan.records) out.push(json ? JSON.stringify(jsonable({ offset: r.offset, ...r.txn, op: redacted(r.txn.op) })) : `@${r.offset} ${txnText(r.txn)}`);
  if (scan.problem) {
    const p = scan.problem;
    out.push(json ? JSON.stringify({ problem: p.kind, offset: p.offset, reason: p.reason }) : `${p.kind.toUpperCase()} at offset ${p.offset}: ${p.reason}`);
  } else {
    out.push(json ? JSON.stringify({ records: scan.records.length, bytes: buf.length }) : `${scan.records.length} txns, ${buf.length} bytes`);
  }
  return out;
}

export function inspectSnapshot(buf: Buffer, file: string, json: boolean): string[] {
  const out: string[] = [];
  const nodes: string[] = [];
  try {
    const d = decodeSnapshot(buf, file, (path, r) => {
      const owner = r.ephemeralOwner;
      nodes.push(
        json
          ? JSON.stringify(jsonable({ path, ...r, acl: r.acl, kind: ephemeralKind(owner) }))
          : `${path}\n  czxid ${hex(r.czxid)} mzxid ${hex(r.mzxid)} pzxid ${hex(r.pzxid)} ctime ${new Date(r.ctime).toISOString()} mtime ${new Date(r.mtime).toISOString()}\n  version ${r.version} cversion(internal) ${r.cversion} aversion ${r.aversion} ephemeralOwner ${hex(owner)} (${ephemeralKind(owner)})\n  dataLength ${r.data === null ? 0 : r.data.length} data ${dataText(r.data)} acl ${aclText(r.acl)}`,
      );
    });
    const h = d.header;
    out.push(
      json
        ? JSON.stringify({ file, version: h.version, dbid: hex(h.dbid), startZxid: hex(h.startZxid), endZxid: hex(d.endZxid), takenAt: new Date(h.takenAt).toISOString(), nodes: d.nodeCount, sessions: d.sessions.length, bytes: d.bytes })
        : `${file}: snapshot version ${h.version}, zxid ${hex(h.startZxid)}..${hex(d.endZxid)}, taken ${new Date(h.takenAt).toISOString()}, ${d.nodeCount} nodes, ${d.sessions.length} sessions, ${d.bytes} bytes`,
    );
    for (const s of d.sessions) {
      out.push(json ? JSON.stringify({ sessionId: hex(s.sessionId), timeOut: s.timeOut, ephemerals: s.ephemerals }) : `session ${hex(s.sessionId)} timeOut ${s.timeOut} ephemerals ${s.ephemerals.length}`);
    }
    out.push(...nodes);
  } catch (e) {
    if (!(e instanceof StorageError)) throw e;
    out.push(...nodes);
    out.push(json ? JSON.stringify({ problem: 'corrupt', offset: e.offset, reason: e.message }) : `CORRUPT: ${e.message}`);
  }
  return out;
}
