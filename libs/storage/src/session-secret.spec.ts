/**
 * The session secret travels with the state: on the first createSession in the log, and in every
 * snapshot (format version 2), so a restarted node or another member checks the same passwords. The
 * inspector never prints it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataTree, Txn } from '@coord/data-tree';
import { ByteReader, ByteWriter } from '@coord/bytes';
import { inspectLog } from './inspect';
import { decodeSnapshot } from './snapshot-read';
import { writeSnapshot } from './snapshot-writer';
import { decodeTxn, encodeTxn } from '@coord/data-tree';
import { encodeLogHeader, encodeRecords } from './log-format';

const secret = Buffer.alloc(32, 0x5a);
const withSecret: Txn = { zxid: 1, time: 10, sessionId: 7n, cxid: 0, op: { type: 'createSession', timeOut: 6000, secret } };
const plain: Txn = { zxid: 2, time: 11, sessionId: 8n, cxid: 0, op: { type: 'createSession', timeOut: 6000 } };

describe('session secret in storage', () => {
  it('round-trips on a createSession and leaves a plain createSession plain', () => {
    for (const t of [withSecret, plain]) {
      const w = new ByteWriter(64);
      encodeTxn(w, t);
      expect(decodeTxn(new ByteReader(w.take()))).toEqual(t);
    }
  });

  it('is never printed by inspect-log, in text or JSON', () => {
    const file = Buffer.concat([encodeLogHeader({ dbid: 0n, startZxid: 1 }), encodeRecords([withSecret])]);
    const hexSecret = secret.toString('hex');
    const b64Secret = secret.toString('base64');
    for (const json of [false, true]) {
      const text = inspectLog(file, 'log.1', json).join('\n');
      expect(text).toContain('createSession');
      expect(text).not.toContain(hexSecret);
      expect(text).not.toContain(b64Secret);
      expect(text).not.toContain('ZZZZ'); // 0x5a bytes as text
    }
  });

  it('is kept by a snapshot and read back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secret-snap-'));
    try {
      const tree = new DataTree();
      tree.applyTxn(withSecret);
      const res = await writeSnapshot({
        dir, tree, startZxid: 1, sessions: [{ sessionId: 7n, timeOut: 6000, ephemerals: [] }], sessionSecret: secret,
        takenAt: 1, forceSync: false, waitDurable: async () => {},
      });
      const decoded = decodeSnapshot(fs.readFileSync(res.file), res.file, () => {});
      expect(decoded.header.version).toBeGreaterThanOrEqual(2); // 2 brought the secret; 3 (record items) keeps it
      expect(decoded.sessionSecret).toEqual(secret);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
