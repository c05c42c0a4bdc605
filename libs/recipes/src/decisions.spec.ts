import {
  barrierReady,
  contenders,
  findOwn,
  kindOf,
  leaderOf,
  lockDecision,
  pickRandom,
  pickRoundRobin,
  protectedPrefix,
  readWriteDecision,
  semaphoreDecision,
  sequenceOf,
  sortBySequence,
} from './decisions';

const node = (uuid: string, kind: string, seq: number) => `${protectedPrefix(uuid, kind)}${String(seq).padStart(10, '0')}`;

describe('names', () => {
  test('sequence, kind, protected prefix and own-node lookup', () => {
    const n = node('u1', 'lock', 42);
    expect(n).toBe('_c_u1-lock-0000000042');
    expect(sequenceOf(n)).toBe(42);
    expect(kindOf(n)).toBe('lock');
    expect(sequenceOf('foo')).toBe(-1);
    expect(kindOf('foo')).toBeNull();
    expect(findOwn(['x', node('u2', 'lock', 1), n], protectedPrefix('u1', 'lock'))).toBe(n);
    expect(findOwn([node('u2', 'lock', 1)], protectedPrefix('u1', 'lock'))).toBeUndefined();
  });

  test('the sequence is the last 10 digits, whatever precedes it; shorter digit runs are not one', () => {
    expect(sequenceOf('server0000000003')).toBe(3);
    expect(sequenceOf('lock-9d1c-0000000012')).toBe(12);
    expect(sequenceOf('x12345678901')).toBe(2345678901);
    expect(sequenceOf('server12')).toBe(-1);
    expect(sequenceOf('12345')).toBe(-1);
    expect(sequenceOf('0000000007-x')).toBe(-1);
  });

  test('sortBySequence orders any sequential names by creation, foreign names first, input untouched', () => {
    const input = ['b-0000000010', 'a-0000000002', 'plain', 'server0000000005'];
    expect(sortBySequence(input)).toEqual(['plain', 'a-0000000002', 'server0000000005', 'b-0000000010']);
    expect(input[0]).toBe('b-0000000010');
  });

  test('contenders are ordered by sequence, not by uuid, and foreign nodes are ignored', () => {
    const a = node('zzz', 'lock', 1);
    const b = node('aaa', 'lock', 2);
    expect(contenders([b, 'junk', a, node('q', 'read', 0)], ['lock'])).toEqual([a, b]);
  });
});

describe('lockDecision', () => {
  const a = node('a', 'lock', 1);
  const b = node('b', 'lock', 2);
  const c = node('c', 'lock', 3);
  test('first holds, others watch only their predecessor', () => {
    expect(lockDecision([c, a, b], a)).toEqual({ kind: 'acquired' });
    expect(lockDecision([c, a, b], b)).toEqual({ kind: 'watch', nodes: [a] });
    expect(lockDecision([c, a, b], c)).toEqual({ kind: 'watch', nodes: [b] });
  });
  test('a gap (a waiter that gave up) is skipped; a missing own node is reported', () => {
    expect(lockDecision([a, c], c)).toEqual({ kind: 'watch', nodes: [a] });
    expect(lockDecision([a, c], b)).toEqual({ kind: 'missing' });
  });
});

describe('readWriteDecision', () => {
  const r1 = node('r1', 'read', 1);
  const w2 = node('w2', 'write', 2);
  const r3 = node('r3', 'read', 3);
  const r4 = node('r4', 'read', 4);
  const w5 = node('w5', 'write', 5);
  const all = [r1, w2, r3, r4, w5];
  test('readers share until a writer; a writer waits for everyone ahead', () => {
    expect(readWriteDecision(all, r1)).toEqual({ kind: 'acquired' });
    expect(readWriteDecision(all, w2)).toEqual({ kind: 'watch', nodes: [r1] });
    expect(readWriteDecision(all, r3)).toEqual({ kind: 'watch', nodes: [w2] });
    expect(readWriteDecision(all, r4)).toEqual({ kind: 'watch', nodes: [w2] });
    expect(readWriteDecision(all, w5)).toEqual({ kind: 'watch', nodes: [r4] });
    expect(readWriteDecision([r3, r4, w5], r4)).toEqual({ kind: 'acquired' });
    expect(readWriteDecision([w2], w2)).toEqual({ kind: 'acquired' });
  });
});

describe('semaphoreDecision', () => {
  const l = [0, 1, 2, 3, 4].map((i) => node(`u${i}`, 'lease', i));
  test('the first `permits` hold; the first waiter watches every holder; later waiters their predecessor', () => {
    expect(semaphoreDecision(l, l[0], 2)).toEqual({ kind: 'acquired' });
    expect(semaphoreDecision(l, l[1], 2)).toEqual({ kind: 'acquired' });
    expect(semaphoreDecision(l, l[2], 2)).toEqual({ kind: 'watch', nodes: [l[0], l[1]] });
    expect(semaphoreDecision(l, l[3], 2)).toEqual({ kind: 'watch', nodes: [l[2]], ifTouched: true });
    expect(semaphoreDecision([l[1], l[2], l[3]], l[2], 2)).toEqual({ kind: 'acquired' });
    expect(() => semaphoreDecision(l, l[0], 0)).toThrow();
  });
});

describe('election and discovery picks', () => {
  test('leader is the lowest latch', () => {
    expect(leaderOf([node('b', 'latch', 7), node('a', 'latch', 9)])).toBe(node('b', 'latch', 7));
    expect(leaderOf([])).toBeNull();
  });
  test('round-robin cycles by id; random uses the injected source', () => {
    const xs = [{ id: 'c' }, { id: 'a' }, { id: 'b' }];
    expect([0, 1, 2, 3].map((i) => pickRoundRobin(xs, i)!.id)).toEqual(['a', 'b', 'c', 'a']);
    expect(pickRoundRobin([], 0)).toBeNull();
    expect(pickRandom(xs, () => 0.99)!.id).toBe('b');
    expect(pickRandom(xs, () => 0)!.id).toBe('c');
    expect(pickRandom([], () => 0)).toBeNull();
  });
  test('double barrier is ready at memberQty', () => {
    expect(barrierReady(['a', 'b'], 3)).toBe(false);
    expect(barrierReady(['a', 'b', 'c'], 3)).toBe(true);
  });
});
