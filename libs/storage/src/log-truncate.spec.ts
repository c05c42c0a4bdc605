import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Txn } from '@coord/data-tree';
import { StorageError } from './errors';
import { listLogs, logFileName } from './files';
import { encodeLogHeader, encodeRecords, isNextZxid, scanLog } from './log-format';
import { LogWriter } from './log-writer';
import { recover } from './recovery';
import { MemoLogger, tempDir } from './testing/dirs';
import { createTxns } from './testing/txns';

const epoch = (e: number, counter: number) => e * 2 ** 32 + counter;

/** `n` creates numbered from `counter` in epoch `e` (paths stay unique across epochs). */
function epochTxns(e: number, counter: number, n: number): Txn[] {
  return createTxns(n, e * 1000 + counter).map((t, i) => ({ ...t, zxid: epoch(e, counter + i) }));
}

async function writeFiles(dir: string, files: Txn[][]): Promise<LogWriter> {
  const w = new LogWriter({ dir, forceSync: false });
  w.openLazily(0);
  for (const txns of files) {
    w.requestRoll();
    await w.append(txns);
  }
  return w;
}

const zxidsOf = (txns: readonly Txn[]) => txns.map((t) => t.zxid);
const recoverDir = (dir: string) => recover({ snapDir: dir, logDir: dir, log: new MemoLogger() });

describe('zxid continuity', () => {
  it('accepts the next zxid or the first of a later epoch, nothing else', () => {
    expect(isNextZxid(0, 1)).toBe(true);
    expect(isNextZxid(0, epoch(1, 1))).toBe(true);
    expect(isNextZxid(7, 8)).toBe(true);
    expect(isNextZxid(epoch(1, 7), epoch(2, 1))).toBe(true);
    expect(isNextZxid(epoch(1, 7), epoch(5, 1))).toBe(true);
    expect(isNextZxid(7, 9)).toBe(false);
    expect(isNextZxid(epoch(1, 7), epoch(2, 2))).toBe(false);
    expect(isNextZxid(epoch(2, 3), epoch(1, 1))).toBe(false);
    expect(isNextZxid(0, 2)).toBe(false);
  });

  it('a file may move to a new epoch between records; a gap inside an epoch ends the valid prefix', () => {
    const txns = [...epochTxns(1, 1, 3), ...epochTxns(2, 1, 2)];
    const good = Buffer.concat([encodeLogHeader({ dbid: 0n, startZxid: epoch(1, 1) }), encodeRecords(txns)]);
    const scan = scanLog(good);
    expect(scan.problem).toBeNull();
    expect(zxidsOf(scan.records.map((r) => r.txn))).toEqual(zxidsOf(txns));
    const gap = [...epochTxns(1, 1, 3), ...epochTxns(1, 5, 1)];
    const bad = scanLog(Buffer.concat([encodeLogHeader({ dbid: 0n, startZxid: epoch(1, 1) }), encodeRecords(gap)]));
    expect(bad.records).toHaveLength(3);
    expect(bad.problem?.reason).toContain(`does not follow 0x${epoch(1, 3).toString(16)}`);
  });
});

describe('LogWriter truncation and reset', () => {
  it('opened lazily, names its first file after the first append', async () => {
    const dir = tempDir();
    const w = await writeFiles(dir, [epochTxns(3, 1, 2)]);
    await w.close();
    expect(listLogs(dir).map((f) => f.name)).toEqual([logFileName(epoch(3, 1))]);
    expect(zxidsOf(recoverDir(dir).tail)).toEqual([epoch(3, 1), epoch(3, 2)]);
  });

  it('truncateAfter drops txns across files: later files removed, the one holding the cut cut after it', async () => {
    const dir = tempDir();
    const files = [epochTxns(1, 1, 5), epochTxns(1, 6, 5), [...epochTxns(1, 11, 2), ...epochTxns(2, 1, 3)], epochTxns(2, 4, 4)];
    const w = await writeFiles(dir, files);
    expect(listLogs(dir)).toHaveLength(4);
    const r = await w.truncateAfter(epoch(1, 8));
    expect(r.removed.map((f) => path.basename(f)).sort()).toEqual([logFileName(epoch(1, 11)), logFileName(epoch(2, 4))].sort());
    expect(r.truncated?.file).toBe(path.join(dir, logFileName(epoch(1, 6))));
    expect(w.durableZxid).toBe(epoch(1, 8));
    const kept = [...files[0], ...files[1].slice(0, 3)];
    expect(zxidsOf(recoverDir(dir).tail)).toEqual(zxidsOf(kept));
    // The log continues in a new epoch, in a new file, and reads back whole.
    const next = epochTxns(3, 1, 2);
    await w.append(next);
    await w.close();
    expect(listLogs(dir).map((f) => f.name)).toEqual([logFileName(epoch(1, 1)), logFileName(epoch(1, 6)), logFileName(epoch(3, 1))]);
    const back = recoverDir(dir);
    expect(zxidsOf(back.tail)).toEqual(zxidsOf([...kept, ...next]));
    expect(back.tail[back.tail.length - 1]).toEqual(next[1]);
  });

  it('truncateAfter at a file boundary removes the later files and leaves the earlier one whole', async () => {
    const dir = tempDir();
    const files = [epochTxns(1, 1, 3), epochTxns(1, 4, 3)];
    const w = await writeFiles(dir, files);
    const before = fs.readFileSync(listLogs(dir)[0].path);
    const r = await w.truncateAfter(epoch(1, 3));
    await w.close();
    expect(r.removed).toHaveLength(1);
    expect(r.truncated).toBeNull();
    expect(fs.readFileSync(listLogs(dir)[0].path).equals(before)).toBe(true);
    expect(zxidsOf(recoverDir(dir).tail)).toEqual(zxidsOf(files[0]));
  });

  it('truncateAfter below every logged txn empties the log', async () => {
    const dir = tempDir();
    const w = await writeFiles(dir, [epochTxns(1, 1, 3), epochTxns(1, 4, 3)]);
    await w.truncateAfter(0);
    await w.close();
    expect(listLogs(dir)).toEqual([]);
    expect(recoverDir(dir).tail).toEqual([]);
  });

  it('an append made while a truncation runs waits for it and lands after the cut', async () => {
    const dir = tempDir();
    const w = await writeFiles(dir, [epochTxns(1, 1, 6)]);
    const cut = w.truncateAfter(epoch(1, 2));
    const appended = w.append(epochTxns(2, 1, 1));
    await Promise.all([cut, appended]);
    await w.close();
    expect(zxidsOf(recoverDir(dir).tail)).toEqual([epoch(1, 1), epoch(1, 2), epoch(2, 1)]);
  });

  it('reset removes every log file; the next append starts the log over', async () => {
    const dir = tempDir();
    const w = await writeFiles(dir, [epochTxns(1, 1, 3), epochTxns(1, 4, 3)]);
    const removed = await w.reset(epoch(4, 9));
    expect(removed).toHaveLength(2);
    expect(listLogs(dir)).toEqual([]);
    expect(w.durableZxid).toBe(epoch(4, 9));
    await w.append(epochTxns(4, 10, 2));
    await w.close();
    expect(listLogs(dir).map((f) => f.name)).toEqual([logFileName(epoch(4, 10))]);
  });
});

describe('recovery across epochs', () => {
  it('accepts files that continue in a later epoch, refuses a missing file inside an epoch', async () => {
    const dir = tempDir();
    const w = await writeFiles(dir, [epochTxns(1, 1, 3), epochTxns(2, 1, 3), epochTxns(2, 4, 3)]);
    await w.close();
    expect(recoverDir(dir).tail).toHaveLength(9);
    fs.rmSync(path.join(dir, logFileName(epoch(2, 1))));
    let err: unknown;
    try {
      recoverDir(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).file).toBe(path.join(dir, logFileName(epoch(2, 4))));
    expect((err as StorageError).message).toContain(`log gap: file starts at zxid 0x${epoch(2, 4).toString(16)}, previous file ended at 0x${epoch(1, 3).toString(16)}`);
  });

  it('reports the bytes of a torn tail it cut', async () => {
    const dir = tempDir();
    const w = await writeFiles(dir, [epochTxns(1, 1, 3)]);
    await w.close();
    const file = listLogs(dir)[0].path;
    const end = scanLog(fs.readFileSync(file)).validEnd;
    fs.truncateSync(file, end);
    fs.appendFileSync(file, Buffer.from([1, 2, 3, 4, 5, 6, 7]));
    const r = recoverDir(dir);
    expect(r.cutBytes).toBe(7);
    expect(r.tail).toHaveLength(3);
    expect(recoverDir(dir).cutBytes).toBe(0);
  });
});
