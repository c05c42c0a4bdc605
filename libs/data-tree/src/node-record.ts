/**
 * The bytes of one znode record in the arena: its name, its stat fields packed as varints, then its
 * data. A freshly created 100-byte znode takes ~130 bytes this way (name 9, fields ~20, data 100),
 * where the same znode as a JS object with a Set of children and a string of data took ~370.
 *
 *   record = nameLen:varint name:utf8 flags:varint czxid:varint (mzxid-czxid):svarint
 *            (pzxid-czxid):svarint (ctime-timeBase):svarint (mtime-ctime):svarint version:svarint
 *            cversion:svarint aversion:svarint aclId:varint numChildren:varint (firstChild+1):varint
 *            (dataLength+1):varint [ephemeralOwner:i64 when flags&1] pad:u8 data padding
 *   flags  = hasOwner | log2(childCapacity) << 1   (0 while the node never had a child)
 *
 * `pad` (0..127, always the header's last byte) counts unused bytes after the data, so a header that
 * grows by a few bytes (a leaf getting its first child: firstChild and pzxid widen) or data that
 * shrinks is rewritten in place instead of moving the record and leaving garbage behind.
 *
 * Deltas keep the common case short (a node untouched since its create has mzxid = pzxid = czxid and
 * mtime = ctime, one byte each); `timeBase` is the first time the store saw, so times take ~4 bytes.
 */

/** The stat and structure fields of a znode (internal cversion and ephemeralOwner). */
export interface NodeFields {
  czxid: number;
  mzxid: number;
  pzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  aclId: number;
  ephemeralOwner: bigint;
  numChildren: number;
  /** java.util.HashSet table size of the children (0 before the first child). */
  childCapacity: number;
  /** Index of the first child in insertion order, -1 when none. */
  firstChild: number;
  /** -1 for null data (distinct from empty). */
  dataLength: number;
}

/**
 * NodeFields whose record is already encoded (a snapshot's record item, snapshot-load.ts): while
 * `record` is not null, a bulk append copies `record[recordAt, recordAt + recordLength)` as the new
 * record: name, header with times relative to `recordTimeBase`, no children, pad byte 0, then the
 * data. The store re-encodes it only when its own time base differs. `aclId` and `ephemeralOwner`
 * must match the record's (the tree reads them from here).
 */
export interface PreencodedFields extends NodeFields {
  record: Buffer | null;
  recordAt: number;
  recordLength: number;
  recordTimeBase: number;
}

/** Where the parts of a decoded record sit in its chunk. */
export interface RecordLayout extends NodeFields {
  nameOffset: number;
  nameLength: number;
  dataOffset: number;
  /** Unused bytes after the data. */
  pad: number;
}

/** Largest pad: it must stay one varint byte. */
export const recordPadMax = 127;

/** Longest header after the name: 13 varints of at most 8 bytes, flags, owner, pad. */
export const recordHeaderBytesMax = 13 * 8 + 2 + 8 + 1;

let pos = 0;

function readVarint(b: Uint8Array): number {
  let byte = b[pos++];
  if (byte < 0x80) return byte;
  let value = byte & 0x7f;
  let scale = 0x80;
  for (;;) {
    byte = b[pos++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 0x80;
  }
}

function readSvarint(b: Uint8Array): number {
  const z = readVarint(b);
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Reads the record at `at`; the returned offsets are positions in `b`. */
export function decodeRecord(b: Buffer, at: number, timeBase: number): RecordLayout {
  return decodeRecordInto(b, at, timeBase, {
    czxid: 0, mzxid: 0, pzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, aclId: 0, ephemeralOwner: 0n,
    numChildren: 0, childCapacity: 0, firstChild: -1, dataLength: -1, nameOffset: 0, nameLength: 0, dataOffset: 0, pad: 0,
  });
}

/** decodeRecord into `out` (a walk over every record refills one object instead of making one each). */
export function decodeRecordInto(b: Buffer, at: number, timeBase: number, out: RecordLayout): RecordLayout {
  pos = at;
  out.nameLength = readVarint(b);
  out.nameOffset = pos;
  pos += out.nameLength;
  const flags = readVarint(b);
  const czxid = readVarint(b);
  out.czxid = czxid;
  out.mzxid = czxid + readSvarint(b);
  out.pzxid = czxid + readSvarint(b);
  const ctime = timeBase + readSvarint(b);
  out.ctime = ctime;
  out.mtime = ctime + readSvarint(b);
  out.version = readSvarint(b);
  out.cversion = readSvarint(b);
  out.aversion = readSvarint(b);
  out.aclId = readVarint(b);
  out.numChildren = readVarint(b);
  out.firstChild = readVarint(b) - 1;
  out.dataLength = readVarint(b) - 1;
  out.ephemeralOwner = 0n;
  if (flags & 1) {
    out.ephemeralOwner = b.readBigInt64BE(pos);
    pos += 8;
  }
  out.pad = b[pos++];
  const capLog2 = flags >>> 1;
  out.childCapacity = capLog2 === 0 ? 0 : 2 ** capLog2;
  out.dataOffset = pos;
  return out;
}

/** Bytes the record at `at` occupies (header, data, pad). */
export function recordBytes(b: Buffer, at: number): number {
  const f = decodeRecord(b, at, 0);
  return f.dataOffset - at + Math.max(f.dataLength, 0) + f.pad;
}

/**
 * Writes the name (already encoded at `name[nameAt..nameAt+nameLength)`) and the header into `out`
 * at 0 with a pad of 0; returns the header's length. The caller sets the pad (`out[length - 1]`)
 * and writes the data after the header.
 */
export function encodeHeader(out: Buffer, name: Uint8Array, nameAt: number, nameLength: number, f: NodeFields, timeBase: number): number {
  return encodeHeaderAt(out, 0, name, nameAt, nameLength, f, timeBase);
}

/** encodeHeader at `out[at]` (a bulk load writes straight into the arena); returns the header's length. */
export function encodeHeaderAt(out: Buffer, at: number, name: Uint8Array, nameAt: number, nameLength: number, f: NodeFields, timeBase: number): number {
  // A local position and putVarint's small-value fast path: a snapshot load encodes 1M of these.
  let p = putVarint(out, at, nameLength);
  for (let i = 0; i < nameLength; i++) out[p + i] = name[nameAt + i];
  p += nameLength;
  const capLog2 = f.childCapacity === 0 ? 0 : Math.round(Math.log2(f.childCapacity));
  const hasOwner = f.ephemeralOwner !== 0n ? 1 : 0;
  p = putVarint(out, p, hasOwner | (capLog2 << 1));
  const czxid = f.czxid;
  const ctime = f.ctime;
  p = putVarint(out, p, czxid);
  p = putSvarint(out, p, f.mzxid - czxid);
  p = putSvarint(out, p, f.pzxid - czxid);
  p = putSvarint(out, p, ctime - timeBase);
  p = putSvarint(out, p, f.mtime - ctime);
  p = putSvarint(out, p, f.version);
  p = putSvarint(out, p, f.cversion);
  p = putSvarint(out, p, f.aversion);
  p = putVarint(out, p, f.aclId);
  p = putVarint(out, p, f.numChildren);
  p = putVarint(out, p, f.firstChild + 1);
  p = putVarint(out, p, f.dataLength + 1);
  if (hasOwner) {
    out.writeBigInt64BE(BigInt.asIntN(64, f.ephemeralOwner), p);
    p += 8;
  }
  out[p++] = 0;
  return p - at;
}

/** Writes `v` (0 ≤ v < 2^53) as a varint at `p`, returning the position after it (values below 2^31 take the bit-shift path). */
function putVarint(b: Uint8Array, p: number, v: number): number {
  if (v < 0x80) {
    b[p] = v;
    return p + 1;
  }
  if (v <= 0x7fffffff) {
    do {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    } while (v >= 0x80);
    b[p] = v;
    return p + 1;
  }
  // Up to 2^53: the low 28 bits as four groups, then the rest (now below 2^25) as above.
  const high = Math.floor(v / 0x10000000);
  const low = v - high * 0x10000000;
  b[p] = (low & 0x7f) | 0x80;
  b[p + 1] = ((low >>> 7) & 0x7f) | 0x80;
  b[p + 2] = ((low >>> 14) & 0x7f) | 0x80;
  b[p + 3] = ((low >>> 21) & 0x7f) | 0x80;
  return putVarint(b, p + 4, high);
}

function putSvarint(b: Uint8Array, p: number, v: number): number {
  return putVarint(b, p, v >= 0 ? v * 2 : -v * 2 - 1);
}
