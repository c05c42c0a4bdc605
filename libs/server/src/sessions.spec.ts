// The expiry buckets (ZooKeeper's ExpiryQueue): a session expires at the first tick boundary after its
// last packet + its timeout. A packet moves only the session's expiry time; the session is filed anew
// when the bucket it sits in comes due. These check that this lazy move expires exactly what the eager
// one would, at the same times.
import { SessionTracker } from './sessions';

const tick = 100;
const start = 1_000_000;

function tracker() {
  const t = new SessionTracker(tick, 1, start);
  const add = (timeoutMs: number, at = start) => t.add(t.allocateId(), timeoutMs, at);
  const expiredAt = (now: number) => t.takeExpired(now).map((s) => s.sessionId);
  return { t, add, expiredAt };
}

describe('SessionTracker expiry', () => {
  it('expires a session at the first tick boundary after its last packet + timeout, not before', () => {
    const { t, add, expiredAt } = tracker();
    const s = add(1000);
    expect(s.expiresAt).toBe(start + 1100);
    t.touch(s, start + 450);
    expect(s.expiresAt).toBe(start + 1500);
    // Its first bucket (start + 1100) comes due: touched since, it stays.
    expect(expiredAt(start + 1100)).toEqual([]);
    expect(s.closing).toBe(false);
    expect(expiredAt(start + 1499)).toEqual([]);
    expect(expiredAt(start + 1500)).toEqual([s.sessionId]);
    expect(s.closing).toBe(true);
    // Gone from the buckets: never reported twice.
    expect(expiredAt(start + 10_000)).toEqual([]);
  });

  it('moves a session to an earlier bucket at once when its timeout shrinks (a reconnect)', () => {
    const { t, add, expiredAt } = tracker();
    const s = add(5000);
    s.timeoutMs = 1000;
    t.touch(s, start + 10);
    expect(s.expiresAt).toBe(start + 1100);
    expect(expiredAt(start + 1100)).toEqual([s.sessionId]);
  });

  it('keeps touching a session alive through many buckets, and expires the idle ones among many', () => {
    const { t, add, expiredAt } = tracker();
    const busy = add(1000);
    const idle = Array.from({ length: 50 }, () => add(1000));
    const expired: bigint[] = [];
    for (let now = start; now <= start + 5000; now += 50) {
      t.touch(busy, now);
      expired.push(...expiredAt(now));
    }
    expect(new Set(expired)).toEqual(new Set(idle.map((s) => s.sessionId)));
    expect(busy.closing).toBe(false);
    expect(busy.expiresAt).toBe(start + 6100);
  });

  it('leaves the buckets on close and on removal', () => {
    const { t, add, expiredAt } = tracker();
    const closed = add(1000);
    const removed = add(1000);
    t.touch(removed, start + 500);
    t.markClosing(closed);
    t.remove(removed.sessionId);
    expect(expiredAt(start + 10_000)).toEqual([]);
    expect(t.bucketSnapshot()).toEqual([]);
  });

  it('reports the sessions by the time they expire at, touched ones under their new time', () => {
    const { t, add } = tracker();
    const a = add(1000);
    const b = add(1000);
    const c = add(2000);
    t.touch(b, start + 300);
    const snapshot = t.bucketSnapshot().sort((x, y) => x.expiresAt - y.expiresAt);
    expect(snapshot).toEqual([
      { expiresAt: start + 1100, sessionIds: [a.sessionId] },
      { expiresAt: start + 1400, sessionIds: [b.sessionId] },
      { expiresAt: start + 2100, sessionIds: [c.sessionId] },
    ]);
  });
});
