/**
 * In-process probe of the data tree's memory: fills a bare DataTree with N znodes (flat or deep) and
 * prints heap and resident memory after a forced GC. Needs --expose-gc.
 *   node --expose-gc -r @swc-node/register tools/bench/src/scale-probe.ts [--znodes=1000000] [--value-bytes=100] [--deep]
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

/** --restart: write a snapshot of the filled tree, then time reading it back (decode, restore). */
export async function restartProbe(tree: DataTree): Promise<void> {
  const { writeSnapshot, loadSnapshotImage } = await import('@coord/storage');
  const { restoreTree } = await import('@coord/data-tree');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-probe-'));
  const t0 = Date.now();
  const res = await writeSnapshot({ dir, tree, startZxid: tree.lastProcessedZxid, sessions: [], takenAt: 0, forceSync: false, nodesPerChunk: 1 << 30, waitDurable: async () => undefined });
  const t1 = Date.now();
  const buf = fs.readFileSync(res.file);
  const t2 = Date.now();
  const loaded = loadSnapshotImage(buf, res.file);
  const t3 = Date.now();
  const fresh = new DataTree();
  restoreTree(fresh, loaded.image);
  const t4 = Date.now();
  console.log(`snapshot ${res.bytes} B written in ${t1 - t0} ms; read ${t2 - t1} ms, decode to image ${t3 - t2} ms, restore into tree ${t4 - t3} ms (${fresh.size} nodes)`);
  fs.rmSync(dir, { recursive: true, force: true });
}
