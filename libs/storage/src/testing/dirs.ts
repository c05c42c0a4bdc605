/** Temp data directories and a recording logger for the storage tests. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataTree, restoreTree, Txn } from '@coord/data-tree';
import type { Recovered } from '../recovery';

export function tempDir(prefix = 'storage-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export class MemoLogger {
  readonly lines: string[] = [];
  info = (m: string) => void this.lines.push('INFO ' + m);
  warn = (m: string) => void this.lines.push('WARN ' + m);
  error = (m: string, e?: unknown) => void this.lines.push('ERROR ' + m + (e ? ` ${String(e)}` : ''));
}

/** The tree a recovery result describes: image (if any) then the exact tail. */
export function treeOf(r: Recovered): DataTree {
  const tree = new DataTree();
  if (r.image) restoreTree(tree, r.image);
  for (const t of r.tail) tree.applyTxn(t);
  return tree;
}

export function treeFromTxns(txns: Txn[]): DataTree {
  const tree = new DataTree();
  for (const t of txns) tree.applyTxn(t);
  return tree;
}

/** Every node with its stat and data, for comparing trees. */
export function dumpTree(tree: DataTree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [p, n] of tree.entries()) out[p] = { stat: n.stat(), data: n.data?.toString('base64') ?? null, acl: n.acl.acl, cversion: n.cversion };
  return out;
}
