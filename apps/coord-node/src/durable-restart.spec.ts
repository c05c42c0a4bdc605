/**
 * Restart behaviour of a real node process with a data directory: sessions and ephemerals survive a
 * kill -9 (and vanish by ordinary expiry when their client does not come back), sequential counters and
 * the zxid continue, srvr/mntr agree, Apache zkCli.sh reads the same tree, a corrupt log stops the start
 * with the file and offset until --repair, and the offline inspectors read what was written.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { OPEN_ACL_UNSAFE } from '@coord/data-tree';
import { encodeConnectRequest, encodeRequest, FrameParser } from '@coord/protocol';
import { listLogs, listSnapshots, scanLog, snapshotVersion } from '@coord/storage';
import { apacheZkCli, fourLetterWord, freePort, spawnCoordinode, tempDir } from '@coord/testing';
import * as zookeeper from 'node-zookeeper-client';
import { runTool } from './command-line';
import { TestZk } from '@coord/node/testing';

const shortTimeoutMs = 4000;

/** A session that creates one ephemeral and then disappears without closing (its socket is destroyed). */
async function vanishingSessionWithEphemeral(host: string, port: number, path: string): Promise<void> {
  const socket = net.connect({ host, port });
  const parser = new FrameParser();
  const frames: Buffer[] = [];
  let wake: () => void = () => undefined;
  socket.on('data', (c) => {
    frames.push(...parser.push(c));
    wake();
  });
  const next = () => new Promise<Buffer>((resolve) => {
    const take = () => (frames.length > 0 ? resolve(frames.shift() as Buffer) : (wake = take));
    take();
  });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: shortTimeoutMs, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }));
  await next();
  socket.write(encodeRequest(1, { type: 1, body: { path, data: Buffer.from('gone soon'), acl: OPEN_ACL_UNSAFE, flags: 1 } }));
  const reply = await next();
  expect(reply.readInt32BE(12)).toBe(0); // err field of the reply header
  socket.destroy();
}

function zkCli(connectString: string, commands: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(apacheZkCli, ['-server', connectString], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('error', reject);
    child.on('exit', () => resolve(out));
    child.stdin.end(commands.map((c) => c + '\n').join(''));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('restart of a durable node', () => {
  it('keeps sessions, ephemerals, sequence counters and the zxid; expiry removes the abandoned ones', async () => {
    const dir = await tempDir('coordinode-restart-');
    const port = await freePort();
    const args = [`--port=${port}`];
    const config = { tickTime: '500', snapCount: '20', '4lw.commands.whitelist': '*' };
    let node = await spawnCoordinode({ dataDir: dir.path, args, config });
    let stayer: TestZk | null = null;
    try {
      stayer = await TestZk.connect(node.connectString, 30_000);
      const sessionBefore = stayer.sessionId;
      await stayer.create('/app', 'config');
      await stayer.create('/app/stay', 'mine', zookeeper.CreateMode.EPHEMERAL);
      const seq1 = await stayer.create('/app/q-', 'a', zookeeper.CreateMode.PERSISTENT_SEQUENTIAL);
      for (let i = 0; i < 30; i++) await stayer.setData('/app', `v${i}`); // passes snapCount: a snapshot is taken
      await vanishingSessionWithEphemeral(node.host, node.port, '/app/gone');
      const srvrBefore = await fourLetterWord(node.host, node.port, 'srvr');
      const zxidBefore = parseInt(/Zxid: 0x([0-9a-f]+)/.exec(srvrBefore)![1], 16);
      await node.crash();
      expect(listSnapshots(dir.path).length).toBeGreaterThan(0);

      node = await spawnCoordinode({ dataDir: dir.path, args, config });
      expect(node.log()).toMatch(/Recovered zxid 0x[0-9a-f]+ in \d+ ms/);
      const reader = await TestZk.connect(node.connectString);
      expect(await reader.exists('/app/gone')).toBe(true); // its session is back, not yet expired
      expect(await reader.getData('/app')).toBe('v29');
      const srvr = await fourLetterWord(node.host, node.port, 'srvr');
      expect(parseInt(/Zxid: 0x([0-9a-f]+)/.exec(srvr)![1], 16)).toBeGreaterThanOrEqual(zxidBefore);
      // 4 built-ins (5 as ZooKeeper counts) + /app, /app/stay, /app/q-.., /app/gone
      expect(/Node count: (\d+)/.exec(srvr)![1]).toBe('9');
      const mntr = await fourLetterWord(node.host, node.port, 'mntr');
      expect(mntr).toMatch(/zk_ephemerals_count\t2\n/);

      // The stayer's client reconnects by itself, to the same session.
      for (let i = 0; i < 100 && stayer.client.getState() !== zookeeper.State.SYNC_CONNECTED; i++) await sleep(100);
      await stayer.setData('/app', 'after');
      expect(stayer.sessionId).toBe(sessionBefore);
      const seq2 = await stayer.create('/app/q-', 'b', zookeeper.CreateMode.PERSISTENT_SEQUENTIAL);
      expect(Number(seq2.slice(-10))).toBeGreaterThan(Number(seq1.slice(-10)));

      // The vanished session expires by its timeout counted from the restart.
      const deadline = Date.now() + shortTimeoutMs * 3;
      while ((await reader.exists('/app/gone')) && Date.now() < deadline) await sleep(200);
      expect(await reader.exists('/app/gone')).toBe(false);
      expect(await reader.exists('/app/stay')).toBe(true);

      // Apache zkCli.sh sees the same tree.
      const children = (await reader.getChildren('/app')).sort();
      const out = await zkCli(node.connectString, ['ls /app', 'get /app', 'quit']);
      expect(out).toContain(`[${children.join(', ')}]`);
      expect(out).toMatch(/\nafter\n/);
      reader.close();
    } finally {
      stayer?.close();
      await node.crash();
      await dir.remove();
    }
  }, 60_000);

  it('refuses to start on a corrupt log with the file and offset, starts with --repair', async () => {
    const dir = await tempDir('coordinode-corrupt-');
    let node = await spawnCoordinode({ dataDir: dir.path, config: { forceSync: 'no' } });
    expect(node.log()).toMatch(/forceSync=no: the txn log is NOT synced/);
    const zk = await TestZk.connect(node.connectString);
    for (let i = 0; i < 20; i++) await zk.create(`/n${i}`, 'x'.repeat(50));
    zk.close();
    await node.crash();
    const log = listLogs(dir.path).find((f) => scanLog(fs.readFileSync(f.path)).records.length > 5)!;
    const buf = fs.readFileSync(log.path);
    buf[Math.floor(scanLog(buf).validEnd / 2)] ^= 0x55; // the middle of the records, not of the zero reserve
    fs.writeFileSync(log.path, buf);
    await expect(spawnCoordinode({ dataDir: dir.path })).rejects.toThrow(
      new RegExp(`cannot start: ${log.path} at offset \\d+: corrupt record in the middle of the log.*--repair`),
    );
    node = await spawnCoordinode({ dataDir: dir.path, args: ['--repair'] });
    try {
      expect(node.log()).toMatch(/--repair: truncating/);
      const reader = await TestZk.connect(node.connectString);
      const names = await reader.getChildren('/');
      const kept = names.filter((n) => /^n\d+$/.test(n)).map((n) => Number(n.slice(1))).sort((a, b) => a - b);
      // A prefix of the creates survives: n0..nk with no holes.
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.length).toBeLessThan(20);
      expect(kept).toEqual(kept.map((_, i) => i));
      reader.close();
    } finally {
      await node.crash();
      await dir.remove();
    }
  }, 60_000);

  it('inspect-log and inspect-snapshot print text and JSON lines', async () => {
    const dir = await tempDir('coordinode-inspect-');
    const node = await spawnCoordinode({ dataDir: dir.path, config: { snapCount: '10' } });
    try {
      const zk = await TestZk.connect(node.connectString);
      for (let i = 0; i < 15; i++) await zk.create(`/i${i}`, `data${i}`);
      zk.close();
      await sleep(300);
    } finally {
      await node.stop().catch(() => undefined);
    }
    const out: string[] = [];
    const log = listLogs(dir.path)[0].path;
    expect(runTool(['inspect-log', log], (s) => void out.push(s))).toBe(0);
    expect(out.join('')).toMatch(/zxid 0x2 create \/i0 data="data0" acl=world:anyone:31/);
    out.length = 0;
    expect(runTool(['inspect-log', log, '--json'], (s) => void out.push(s))).toBe(0);
    const lines = out.join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.find((l) => l.op?.path === '/i0')).toMatchObject({ zxid: 2, op: { type: 'create', data: 'data0' } });
    out.length = 0;
    const snap = listSnapshots(dir.path)[0].path;
    expect(runTool(['inspect-snapshot', snap, '--json'], (s) => void out.push(s))).toBe(0);
    const snapLines = out.join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(snapLines[0]).toMatchObject({ version: snapshotVersion });
    expect(snapLines.some((l) => l.path === '/zookeeper/quota')).toBe(true);
    const bad = fs.readFileSync(snap);
    bad[40] ^= 1;
    fs.writeFileSync(snap, bad);
    out.length = 0;
    expect(runTool(['inspect-snapshot', snap], (s) => void out.push(s))).toBe(1);
    expect(out.join('')).toMatch(/CORRUPT: .* at offset \d+: snapshot checksum mismatch/);
    await dir.remove();
  }, 60_000);
});
