/**
 * In-process probe of the data tree's memory: fills a bare DataTree with N znodes (flat or deep) and
 * prints heap and resident memory after a forced GC. Needs --expose-gc.
 *   node --expose-gc -r @swc-node/register tools/bench/src/scale-probe.ts [--znodes=1000000] [--value-bytes=100] [--deep]
 *     [--restart [--records] [--format=2|3]]
 */
import { DataTree, OPEN_ACL_UNSAFE } from '@coord/data-tree';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const znodes = Number(arg('znodes', '1000000'));
const valueBytes = Number(arg('value-bytes', '100'));
const deep = process.argv.includes('--deep');

/** Paths of a tree 10 levels deep with `n` nodes in all (fan-out chosen so the levels fill evenly). */
export function scalePaths(n: number, deepTree: boolean, root = '/d'): string[] {
  if (!deepTree) return Array.from({ length: n }, (_, i) => `${root}/n${String(i).padStart(7, '0')}`);
  const out: string[] = [];
  const fanout = 4;
  const queue = [root];
  for (let i = 0; out.length < n; i++) {
    const parent = queue[i];
    for (let c = 0; c < fanout && out.length < n; c++) {
      const p = `${parent}/n${c}`;
      out.push(p);
      queue.push(p);
    }
  }
  return out;
}

function mib(n: number) {
  return (n / 1048576).toFixed(0);
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const base = process.memoryUsage();
  const tree = new DataTree();
  const value = Buffer.alloc(valueBytes, 0x62);
  let zxid = 1;
  const t0 = Date.now();
  tree.applyTxn({ zxid: zxid++, time: 1, sessionId: 1n, cxid: 0, op: { type: 'create', path: '/d', data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n } });
  for (const path of scalePaths(znodes, deep)) {
    tree.applyTxn({ zxid: zxid++, time: 1700000000000 + zxid, sessionId: 1n, cxid: 0, op: { type: 'create', path, data: value, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n } });
  }
  const ms = Date.now() - t0;
  gc();
  const m = process.memoryUsage();
  console.log(`${znodes} znodes ${deep ? 'deep' : 'flat'} ${valueBytes} B: ${ms} ms; heapUsed +${mib(m.heapUsed - base.heapUsed)} MiB, external +${mib(m.external - base.external)} MiB, arrayBuffers +${mib(m.arrayBuffers - base.arrayBuffers)}, rss ${mib(m.rss)} MiB (base ${mib(base.rss)})`);
  console.log(tree.recordMemory());
  if (process.argv.includes('--restart')) await restartProbe(tree);
}

if (require.main === module) main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * --restart: write a snapshot of the filled tree (format version 3, or 2 with --format=2), then time
 * reading it back: straight into a fresh
 * tree's store (SnapshotFileImage), or with --records as one record per znode first (TreeImage, the
 * path recovery took before), and print the memory the restored tree leaves after a forced GC.
 * Then (not with --records) time the load the way recovery does it, from the file in 4 MiB windows
 * (openSnapshotFile: one pass for the checksum, one to decode) into another fresh tree.
 */
export async function restartProbe(tree: DataTree): Promise<void> {
  const { writeSnapshot, openSnapshot, openSnapshotFile, SnapshotFileImage, decodeSnapshot } = await import('@coord/storage');
  const { TreeImage } = await import('@coord/data-tree');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const gc = (globalThis as { gc?: () => void }).gc!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-probe-'));
  const t0 = Date.now();
  // --format=2 writes the version before record items (what a data dir from an older build holds).
  const formatVersion = arg('format', '3') === '2' ? 2 : 3;
  const res = await writeSnapshot({ dir, tree, startZxid: tree.lastProcessedZxid, sessions: [], takenAt: 0, forceSync: false, nodesPerChunk: 1 << 30, formatVersion, waitDurable: async () => undefined });
  const t1 = Date.now();
  let buf: Buffer | null = fs.readFileSync(res.file);
  const t2 = Date.now();
  const cpu0 = process.cpuUsage();
  const fresh = new DataTree();
  let decodeMs = 0;
  if (process.argv.includes('--records')) {
    const image = new TreeImage();
    decodeSnapshot(buf, res.file, (p, r) => image.set(p, r));
    decodeMs = Date.now() - t2;
    image.restoreInto(fresh);
  } else {
    new SnapshotFileImage(openSnapshot(buf, res.file)).restoreInto(fresh);
  }
  const t3 = Date.now();
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  buf = null;
  gc();
  const m = process.memoryUsage();
  const perSecond = Math.round(fresh.size / ((t3 - t2) / 1000));
  console.log(
    `snapshot (format ${formatVersion}) ${res.bytes} B written in ${t1 - t0} ms; read ${t2 - t1} ms; load ${t3 - t2} ms` +
      (decodeMs ? ` (decode to records ${decodeMs} ms, restore ${t3 - t2 - decodeMs} ms)` : ' (straight into the store)') +
      ` = ${perSecond} znodes/s (${fresh.size} nodes); ${cpuMs} ms of CPU = ${Math.round(fresh.size / (cpuMs / 1000))} znodes per CPU-second; after GC heapUsed ${mib(m.heapUsed)} MiB, arrayBuffers ${mib(m.arrayBuffers)} MiB, rss ${mib(m.rss)} MiB (both trees)`,
  );
  if (fresh.size !== tree.size) throw new Error(`restored ${fresh.size} nodes, the tree holds ${tree.size}`);
  if (!process.argv.includes('--records')) {
    const t4 = Date.now();
    const cpu1 = process.cpuUsage();
    const again = new DataTree();
    new SnapshotFileImage(openSnapshotFile(res.file)).restoreInto(again);
    const t5 = Date.now();
    const cpuAgain = process.cpuUsage(cpu1);
    const cpuAgainMs = Math.round((cpuAgain.user + cpuAgain.system) / 1000);
    console.log(`from the file in windows (as recovery reads it): load ${t5 - t4} ms; ${cpuAgainMs} ms of CPU = ${Math.round(again.size / (cpuAgainMs / 1000))} znodes per CPU-second`);
    if (again.size !== tree.size) throw new Error(`restored ${again.size} nodes, the tree holds ${tree.size}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
