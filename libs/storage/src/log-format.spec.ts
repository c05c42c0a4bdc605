import { ByteReader, ByteWriter } from '@coord/bytes';
import { crc32, crc32Portable } from './crc32';
import { encodeLogHeader, encodeRecordOfBody, encodeRecords, logHeaderBytes, scanLog } from './log-format';
import { sampleTxns } from './testing/txns';
import { decodeTxn, encodedTxnBytesMax, encodeTxn } from '@coord/data-tree';

describe('CRC-32', () => {
  it('native and portable CRC-32 agree with the known check value', () => {
    const check = Buffer.from('123456789');
    expect(crc32Portable(check)).toBe(0xcbf43926);
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32(Buffer.from('6789'), crc32(Buffer.from('12345')))).toBe(0xcbf43926);
  });
});

describe('txn codec', () => {
  it('never writes more than encodedTxnBytesMax says (a log batch is sized with it once)', () => {
    const utf8 = sampleTxns().map((t) => ('path' in t.op ? { ...t, op: { ...t.op, path: `${t.op.path}/ü€𝄞` } } : t));
    for (const t of [...sampleTxns(), ...utf8]) {
      const w = new ByteWriter();
      encodeTxn(w, t);
      expect(w.length).toBeLessThanOrEqual(encodedTxnBytesMax(t));
    }
  });

  it('round-trips every op, multi included', () => {
    for (const t of sampleTxns()) {
      const w = new ByteWriter();
      encodeTxn(w, t);
      const r = new ByteReader(w.take());
      expect(decodeTxn(r)).toEqual(t);
      expect(r.remaining).toBe(0);
    }
  });
});

function logFile(): Buffer {
  return Buffer.concat([encodeLogHeader({ dbid: 7n, startZxid: 1 }), encodeRecords(sampleTxns())]);
}

describe('log scan', () => {
  it('reads back every record of a whole file', () => {
    const scan = scanLog(logFile());
    expect(scan.problem).toBeNull();
    expect(scan.records.map((r) => r.txn)).toEqual(sampleTxns());
  });

  it('a record made from the bytes after a txn\'s zxid is the record of the txn', () => {
    const fromBodies = new ByteWriter();
    for (const t of sampleTxns()) {
      const w = new ByteWriter();
      // The txn as an ensemble payload carries it: at an offset, with a placeholder zxid (0: one byte).
      w.writeU8(0xaa);
      const from = w.length + 1;
      encodeTxn(w, { ...t, zxid: 0 });
      const body = w.take();
      encodeRecordOfBody(fromBodies, t.zxid, body, from);
    }
    expect(fromBodies.take()).toEqual(encodeRecords(sampleTxns()));
  });

  it('a file cut at every byte offset yields a valid prefix and a torn tail', () => {
    const whole = logFile();
    const all = sampleTxns();
    const boundaries = new Set(scanLog(whole).records.map((r) => r.offset + r.bytes));
    for (let cut = 0; cut < whole.length; cut++) {
      const scan = scanLog(whole.subarray(0, cut));
      const n = scan.records.length;
      expect(scan.records.map((r) => r.txn)).toEqual(all.slice(0, n));
      if (cut === logHeaderBytes || boundaries.has(cut)) {
        expect(scan.problem).toBeNull();
      } else {
        expect(scan.problem?.kind).toBe('torn');
        expect(scan.validEnd).toBe(n === 0 ? (cut < logHeaderBytes ? 0 : logHeaderBytes) : scan.records[n - 1].offset + scan.records[n - 1].bytes);
      }
    }
  });

  it('a byte flipped inside any record but the last is corruption at that record', () => {
    const whole = logFile();
    const records = scanLog(whole).records;
    for (const rec of records.slice(0, -1)) {
      for (const at of [rec.offset, rec.offset + 5, rec.offset + rec.bytes - 1]) {
        const bad = Buffer.from(whole);
        bad[at] ^= 0x40;
        const scan = scanLog(bad);
        expect(scan.problem).toMatchObject({ kind: 'corrupt', offset: rec.offset });
      }
    }
  });

  it('a damaged header is reported, not trusted', () => {
    const bad = logFile();
    bad[10] ^= 1;
    expect(scanLog(bad).problem).toMatchObject({ kind: 'corrupt', offset: 0, reason: 'header checksum mismatch' });
  });
});
