import { sortBySequence } from './paths';

/**
 * The pure decision shared by the lock and the leader latch: given the children of the queue node and
 * my own child's name, am I first, or whom do I watch? Each waiter watches only its predecessor, so a
 * release wakes exactly one waiter (no herd effect).
 */
export type QueueDecision = { kind: 'first' } | { kind: 'watch'; predecessor: string; position: number } | { kind: 'missing' };

export function queueDecision(children: string[], me: string): QueueDecision {
  const sorted = sortBySequence(children);
  const index = sorted.indexOf(me);
  if (index < 0) return { kind: 'missing' };
  if (index === 0) return { kind: 'first' };
  return { kind: 'watch', predecessor: sorted[index - 1], position: index };
}
