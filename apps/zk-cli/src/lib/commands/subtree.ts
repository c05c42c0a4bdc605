import type { CliClient } from '../client-port';
import { childPath, keeper } from './command';

/** Every path of the subtree, breadth first, root first (ZKUtil.listSubTreeBFS). */
export async function listSubtreeBreadthFirst(zk: CliClient, root: string): Promise<string[]> {
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    const path = tree[i];
    const { children } = await keeper(path, () => zk.getChildren(path));
    for (const c of children) tree.push(childPath(path, c));
  }
  return tree;
}

/** Splits deletions (deepest first) into batches for multi. */
export function deleteBatches(treeBreadthFirst: readonly string[], batchSize: number): string[][] {
  const order = [...treeBreadthFirst].reverse();
  const batches: string[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}
