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

function main() {
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
}

if (require.main === module) main();
