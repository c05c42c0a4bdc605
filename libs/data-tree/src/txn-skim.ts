/**
 * Reading an encoded txn (txn-codec.ts) without decoding it into objects, for recovery, which meets
 * millions of them: `skimTxn` checks one exactly as `decodeTxn` would and tells its zxid and op tag
 * (the scan of the log needs nothing more for all but the session txns), and `readTxnHead` points
 * into the bytes of a create so the tail replay can copy its name and data straight into the store.
 */
import { varintBytesMax as varintBytesMaxImport } from '@coord/bytes';
import { OpTag } from './txn-codec';

/** Limits as decodeTxn applies them (txn-codec.ts). */
const multiDepthMax = 1;
const multiOpsMax = 1 << 20;
const aclEntriesMax = 1 << 16;
const varintValueMax = Number.MAX_SAFE_INTEGER;
/** Bound once (read through the package's re-export on every varint otherwise). */
const varintBytesMax = varintBytesMaxImport;

/** Position of the skim in progress; -1 once something did not decode. */
let pos = 0;
let stop = 0;

function varint(b: Uint8Array): number {
  if (pos < 0) return -1;
  let result = 0;
  let scale = 1;
  for (let i = 0; i < varintBytesMax; i++) {
    if (pos >= stop) return fail();
    const byte = b[pos++];
    result += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return result > varintValueMax ? fail() : result;
    scale *= 0x80;
  }
  return fail();
}

function fail(): number {
  pos = -1;
  return -1;
}

/** Claims `n` bytes (false when they run past the end). */
function skip(n: number): boolean {
  if (pos < 0 || n < 0 || pos + n > stop) {
    pos = -1;
    return false;
  }
  pos += n;
  return true;
}

/** A varint-prefixed string (or a varint-prefixed buffer when `plusOne`: 0 is null, else length + 1). */
function skipVarBytes(b: Uint8Array, plusOne: boolean): boolean {
  const n = varint(b);
  if (n < 0) return false;
  return skip(plusOne ? Math.max(n - 1, 0) : n);
}

function skipAcl(b: Uint8Array): boolean {
  const count = varint(b);
  if (count < 0) return false;
  if (count === 0) return true;
  if (count - 1 > aclEntriesMax) return fail() >= 0;
  for (let i = 1; i < count; i++) if (varint(b) < 0 || !skipVarBytes(b, false) || !skipVarBytes(b, false)) return false;
  return true;
}

/** One op as decodeOp reads it; its tag, or -1. */
function skipOp(b: Uint8Array, depth: number): number {
  if (pos < 0 || pos >= stop) return fail();
  const tag = b[pos++];
  let ok: boolean;
  switch (tag) {
    case OpTag.create:
    case OpTag.createOwned:
      ok = skipVarBytes(b, false) && skipVarBytes(b, true) && skipAcl(b) && (tag === OpTag.create || skip(8));
      break;
    case OpTag.delete:
    case OpTag.check:
      ok = skipVarBytes(b, false);
      break;
    case OpTag.setData:
      ok = skipVarBytes(b, false) && skipVarBytes(b, true) && varint(b) >= 0;
      break;
    case OpTag.setACL:
      ok = skipVarBytes(b, false) && skipAcl(b) && varint(b) >= 0;
      break;
    case OpTag.error:
    case OpTag.createSession:
      ok = varint(b) >= 0;
      break;
    case OpTag.closeSession:
      ok = true;
      break;
    case OpTag.createSessionSecret: {
      // decodeOp refuses a missing (0) or empty (1) secret.
      const timeOutOk = varint(b) >= 0;
      const n = timeOutOk ? varint(b) : -1;
      ok = n > 1 && skip(n - 1);
      break;
    }
    case OpTag.multi: {
      if (depth >= multiDepthMax) return fail();
      const n = varint(b);
      if (n < 0 || n > multiOpsMax) return fail();
      ok = true;
      for (let i = 0; i < n && ok; i++) ok = skipOp(b, depth + 1) >= 0;
      break;
    }
    default:
      return fail();
  }
  return ok && pos >= 0 ? tag : fail();
}

/** What the last successful skimTxn read. */
export const skimmed = { zxid: 0 };

/**
 * Whether `b[at, end)` holds exactly one txn that decodeTxn accepts with nothing after it; returns
 * its op tag (OpTag) and sets `skimmed.zxid`, or returns -1. Allocates nothing.
 */
export function skimTxn(b: Uint8Array, at: number, end: number): number {
  pos = at;
  stop = end;
  const zxid = varint(b);
  if (zxid < 0 || varint(b) < 0 || !skip(8) || varint(b) < 0) return -1;
  const tag = skipOp(b, 0);
  if (tag < 0 || pos !== end) return -1;
  skimmed.zxid = zxid;
  return tag;
}

/**
 * Where the parts of a txn sit in its bytes (readTxnHead fills one, reused for every txn). The path
 * is set for a create, delete or setData, the data for a create or setData, the rest for a create
 * (ACL, owner) or a setData (version) only.
 */
export interface TxnHead {
  zxid: number;
  time: number;
  /** The op's tag (OpTag). */
  tag: number;
  pathAt: number;
  pathEnd: number;
  /** -1 for null data. */
  dataLength: number;
  dataAt: number;
  /** Where the ACL list starts; `aclDefault` when it is the 0 that stands for world:anyone with every permission. */
  aclAt: number;
  aclDefault: boolean;
  /** Where a createOwned's ephemeralOwner (8 bytes) starts, -1 for a plain create. */
  ownerAt: number;
  /** A setData's new version. */
  version: number;
}

export function txnHead(): TxnHead {
  return { zxid: 0, time: 0, tag: 0, pathAt: 0, pathEnd: 0, dataLength: -1, dataAt: 0, aclAt: 0, aclDefault: true, ownerAt: -1, version: 0 };
}

/**
 * Reads the zxid, time and op tag of the txn in `b[at, end)` into `out`, and for a create, delete or
 * setData where its parts are (see TxnHead); returns the tag, or -1 when the bytes do not decode (the caller then
 * decodes them with decodeTxn, which says why).
 */
export function readTxnHead(b: Uint8Array, at: number, end: number, out: TxnHead): number {
  pos = at;
  stop = end;
  out.zxid = varint(b);
  out.time = varint(b);
  if (!skip(8) || varint(b) < 0 || pos >= stop) return -1;
  const tag = b[pos++];
  out.tag = tag;
  if (tag !== OpTag.create && tag !== OpTag.createOwned && tag !== OpTag.setData && tag !== OpTag.delete) return tag;
  const pathLength = varint(b);
  out.pathAt = pos;
  if (pathLength < 0 || !skip(pathLength)) return -1;
  out.pathEnd = pos;
  if (tag === OpTag.delete) return pos === end ? tag : -1;
  const data = varint(b);
  out.dataLength = data - 1;
  out.dataAt = pos;
  if (data < 0 || !skip(Math.max(data - 1, 0))) return -1;
  if (tag === OpTag.setData) {
    const z = varint(b);
    out.version = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    return z >= 0 && pos === end ? tag : -1;
  }
  out.aclAt = pos;
  out.aclDefault = b[pos] === 0;
  if (!skipAcl(b)) return -1;
  out.ownerAt = -1;
  if (tag === OpTag.createOwned) {
    out.ownerAt = pos;
    if (!skip(8)) return -1;
  }
  return pos === end ? tag : -1;
}
