import * as fs from 'node:fs';
import * as path from 'node:path';
import { ByteReader } from '@coord/bytes';
import { decodeTxn } from '@coord/data-tree';
import { crc32 } from './crc32';
import { crc32Range } from './crc32-range';
import { encodeLogHeader, encodeRecords, scanLog } from './log-format';
import { FileWindow, forEachRecordIn, scanLogWindows } from './log-window';
import { tempDir } from './testing/dirs';
import { createTxns, sampleTxns } from './testing/txns';

describe('crc32Range', () => {
  it('agrees with crc32 on every range of a random buffer, at every alignment', () => {
    const b = Buffer.alloc(300);
    for (let i = 0; i < b.length; i++) b[i] = (i * 7919 + 13) & 0xff;
    expect(crc32Range(Buffer.from('123456789'), 0, 9)).toBe(0xcbf43926);
    for (let at = 0; at < 20; at++) for (let end = at; end <= b.length; end += 7) expect([at, end, crc32Range(b, at, end)]).toEqual([at, end, crc32(b.subarray(at, end))]);
  });
});

describe('scanning a log file through a window', () => {
  const txns = [...sampleTxns(), ...createTxns(300, sampleTxns().length + 1)];

  function write(extra: Buffer = Buffer.alloc(0)): string {
    const file = path.join(tempDir(), 'log.1');
    fs.writeFileSync(file, Buffer.concat([encodeLogHeader({ dbid: 7n, startZxid: 1 }), encodeRecords(txns), extra]));
    return file;
  }

  for (const windowBytes of [64, 200, 1000, 1 << 20]) {
    it(`hands over what scanLog finds, records straddling windows of ${windowBytes} bytes, a zero-filled reserve after them`, () => {
      const file = write(Buffer.alloc(5000));
      const whole = scanLog(fs.readFileSync(file));
      const w = new FileWindow(windowBytes);
      w.open(file);
      const seen: [number, number, number][] = [];
      const decoded: unknown[] = [];
      const scan = scanLogWindows(w, (zxid, tag, b, at, end, offset, recordEnd) => {
        seen.push([zxid, offset, recordEnd]);
        decoded.push(decodeTxn(new ByteReader(b, at, { end })));
        expect(tag).toBeGreaterThan(0);
      });
      expect(scan.complete).toBe(true);
      expect(scan.validEnd).toBe(whole.validEnd);
      expect(seen).toEqual(whole.records.map((r) => [r.txn.zxid, r.offset, r.offset + r.bytes]));
      expect(decoded).toEqual(txns);
      const streamed: unknown[] = [];
      forEachRecordIn(w, whole.records[3].offset, whole.validEnd, (b, at, end) => streamed.push(decodeTxn(new ByteReader(b, at, { end }))));
      expect(streamed).toEqual(txns.slice(3));
      w.close();
    });
  }

  it('stops before a record it cannot accept (a flipped byte, a cut, garbage after the reserve) and says where', () => {
    const file = write(Buffer.alloc(100));
    const whole = scanLog(fs.readFileSync(file));
    const w = new FileWindow(128);
    const bytes = fs.readFileSync(file);
    const r = whole.records[10];
    const flipped = Buffer.from(bytes);
    flipped[r.offset + 12] ^= 1;
    fs.writeFileSync(file, flipped);
    w.open(file);
    let n = 0;
    expect(scanLogWindows(w, () => void n++)).toEqual({ header: whole.header, validEnd: r.offset, complete: false });
    expect(n).toBe(10);
    fs.writeFileSync(file, bytes.subarray(0, r.offset + 5));
    w.open(file);
    expect(scanLogWindows(w, () => undefined).validEnd).toBe(r.offset);
    fs.writeFileSync(file, Buffer.concat([bytes, Buffer.from([1])]));
    w.open(file);
    expect(scanLogWindows(w, () => undefined)).toEqual({ header: whole.header, validEnd: whole.validEnd, complete: false });
    w.close();
  });
});
