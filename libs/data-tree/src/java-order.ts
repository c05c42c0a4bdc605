/**
 * ZooKeeper keeps a znode's children in a java.util.HashSet and returns them in its iteration order, and
 * clients that don't sort (node-zookeeper-client, zkCli's deleteall, which deletes in that order and so
 * fires watches in that order) show it. To answer byte for byte like ZooKeeper we return children in the
 * same order: by hash bucket of the set's current table, and by insertion order within a bucket.
 */

/** java.util.HashSet as DataNode creates it (`new HashSet<>(8)`): table of 8, resized at 3/4 load. */
export const javaChildSetCapacityInitial = 8;
const javaLoadFactor = 0.75;

/** Java's String.hashCode over UTF-16 code units, as a 32-bit int. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** The table capacity after the set has held `size` elements (it doubles past 3/4 load and never shrinks). */
export function javaCapacityFor(currentCapacity: number, size: number): number {
  let capacity = currentCapacity;
  while (size > capacity * javaLoadFactor) capacity *= 2;
  return capacity;
}

function bucketOf(name: string, capacity: number): number {
  const h = javaStringHash(name);
  return (h ^ (h >>> 16)) & (capacity - 1);
}

/**
 * Children in HashSet iteration order, given them in insertion order (a JS Set's order: a removed and
 * re-added name goes last, as it does at the tail of its Java bucket).
 */
export function javaHashSetOrder(namesInInsertionOrder: Iterable<string>, capacity: number): string[] {
  const names = [...namesInInsertionOrder];
  if (names.length < 2) return names;
  const buckets = names.map((n) => bucketOf(n, capacity));
  const index = names.map((_, i) => i);
  // Array.prototype.sort is stable, so equal buckets keep insertion order.
  index.sort((a, b) => buckets[a] - buckets[b]);
  return index.map((i) => names[i]);
}
