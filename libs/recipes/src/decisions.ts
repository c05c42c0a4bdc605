/**
 * Pure recipe decisions over the names of a recipe's child znodes. No I/O: the drivers read the children,
 * ask here what to do, and act (watch one node, or proceed).
 *
 * Contender names are Curator's protected names: `_c_<uuid>-<kind>-<10-digit sequence>`. The uuid lets a
 * contender find its own node after a create whose reply was lost; the sequence orders contenders.
 */

export const sequenceDigits = 10;
/** The contender kinds of the lock recipes (Mutex, ReadWriteLock, Semaphore) and of the election (LeaderLatch). */
export const lockKinds: readonly string[] = ['lock', 'read', 'write', 'lease'];
export const electionKinds: readonly string[] = ['latch'];
const sequenceSuffix = /(\d{10})$/;

/** The protected prefix a contender creates with (ZooKeeper appends the sequence). */
export function protectedPrefix(uuid: string, kind: string): string {
  return `_c_${uuid}-${kind}-`;
}

/**
 * The sequence number of a sequential node name: ZooKeeper appends the parent's counter as exactly
 * `sequenceDigits` zero-padded digits, so it is the last 10 characters when they are all digits.
 * -1 for a name without one (a foreign node), which therefore sorts before every sequential node.
 */
export function sequenceOf(name: string): number {
  const m = sequenceSuffix.exec(name);
  return m ? Number(m[1]) : -1;
}

/** Sequential node names in creation order (a copy; names without a sequence come first, as they were). */
export function sortBySequence(names: readonly string[]): string[] {
  return [...names].sort((a, b) => sequenceOf(a) - sequenceOf(b));
}

/** The kind (`lock`, `read`, `write`, `latch`...) of a contender name, or null for a foreign node. */
export function kindOf(name: string): string | null {
  const m = /-([a-z]+)-\d{10}$/.exec(name);
  return m ? m[1] : null;
}

/** Contender names of the given kinds, ordered by sequence (ties cannot happen under one parent). */
export function contenders(children: readonly string[], kinds: readonly string[]): string[] {
  return sortBySequence(
    children.filter((c) => {
      const k = kindOf(c);
      return k !== null && kinds.includes(k);
    }),
  );
}

/** The contender node this uuid created, if it is among the children (protected-create recovery). */
export function findOwn(children: readonly string[], prefix: string): string | undefined {
  return children.find((c) => c.startsWith(prefix) && sequenceOf(c) >= 0);
}

export type Decision =
  | { kind: 'acquired' }
  /**
   * Wait until one of these nodes changes (is deleted, or for a semaphore, touched), then decide again.
   * `ifTouched`: if the node already has data version > 0 (it acquired meanwhile), decide again at once.
   */
  | { kind: 'watch'; nodes: string[]; ifTouched?: boolean }
  /** The contender's own node is missing (deleted by someone, or its session expired). */
  | { kind: 'missing' };

/**
 * Fair mutex / leader latch: the lowest sequence holds; everyone else watches only its immediate
 * predecessor, so a release wakes exactly one waiter (no herd).
 */
export function lockDecision(children: readonly string[], me: string, kinds: readonly string[] = ['lock']): Decision {
  const order = contenders(children, kinds);
  const i = order.indexOf(me);
  if (i < 0) return { kind: 'missing' };
  if (i === 0) return { kind: 'acquired' };
  return { kind: 'watch', nodes: [order[i - 1]] };
}

/**
 * Read/write lock over one queue of `read` and `write` nodes. A writer holds when it is first; a reader
 * holds when no writer is ahead of it, else it watches the nearest writer ahead of it.
 */
export function readWriteDecision(children: readonly string[], me: string): Decision {
  const order = contenders(children, ['read', 'write']);
  const i = order.indexOf(me);
  if (i < 0) return { kind: 'missing' };
  if (kindOf(me) === 'write') return i === 0 ? { kind: 'acquired' } : { kind: 'watch', nodes: [order[i - 1]] };
  for (let j = i - 1; j >= 0; j--) if (kindOf(order[j]) === 'write') return { kind: 'watch', nodes: [order[j]] };
  return { kind: 'acquired' };
}

/**
 * Counting semaphore with `permits` leases, FIFO. The first `permits` contenders hold (positions only
 * ever move forward, so holders are always the head of the queue). The first waiter watches every holder
 * (any release lets it in); later waiters watch their predecessor, which touches its own node when it
 * acquires, so each release and each acquisition wakes exactly one waiter.
 */
export function semaphoreDecision(children: readonly string[], me: string, permits: number): Decision {
  if (!(permits >= 1)) throw new Error(`a semaphore needs at least 1 permit, got ${permits}`);
  const order = contenders(children, ['lease']);
  const i = order.indexOf(me);
  if (i < 0) return { kind: 'missing' };
  if (i < permits) return { kind: 'acquired' };
  if (i === permits) return { kind: 'watch', nodes: order.slice(0, permits) };
  return { kind: 'watch', nodes: [order[i - 1]], ifTouched: true };
}

/** The current leader of an election (lowest latch sequence), or null when nobody takes part. */
export function leaderOf(children: readonly string[], kinds: readonly string[] = ['latch']): string | null {
  return contenders(children, kinds)[0] ?? null;
}

/** Round-robin pick: the instance at `counter` modulo the count (instances sorted by id for stability). */
export function pickRoundRobin<T extends { id: string }>(instances: readonly T[], counter: number): T | null {
  if (instances.length === 0) return null;
  const sorted = [...instances].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sorted[((counter % sorted.length) + sorted.length) % sorted.length];
}

/** Random pick with an injected random source in [0, 1). */
export function pickRandom<T>(instances: readonly T[], random: () => number): T | null {
  if (instances.length === 0) return null;
  return instances[Math.min(instances.length - 1, Math.floor(random() * instances.length))];
}

/** Double barrier: enter when `memberQty` members are present. */
export function barrierReady(members: readonly string[], memberQty: number): boolean {
  return members.length >= memberQty;
}
