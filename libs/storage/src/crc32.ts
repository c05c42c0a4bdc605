/**
 * CRC-32 (IEEE 802.3, the zlib / gzip polynomial). Node 20.15+ has zlib.crc32 in native code; older
 * runtimes fall back to a table-driven version with the same results.
 */
import * as zlib from 'node:zlib';

type Crc32 = (data: Buffer, initial?: number) => number;

const native = (zlib as unknown as { crc32?: Crc32 }).crc32;

let table: Uint32Array | null = null;

function buildTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** Table-driven CRC-32; `initial` continues a running checksum. */
export function crc32Portable(data: Buffer, initial = 0): number {
  table ??= buildTable();
  let c = (initial ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export const crc32: Crc32 = native ? (data, initial = 0) => native(data, initial) >>> 0 : crc32Portable;
