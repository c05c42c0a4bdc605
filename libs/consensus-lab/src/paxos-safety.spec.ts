import { checkPaxosSafety, runRandomPaxos } from './paxos-safety';
import { narrate } from './narrate';

const seedCount = 300;

describe('Paxos safety over random seeds', () => {
  it(`never chooses two values in ${seedCount} runs with loss, duplicates and reordering`, () => {
    const report = checkPaxosSafety(1, seedCount);
    expect(report.violations).toEqual([]);
    expect(report.seedsRun).toBe(seedCount);
    // Liveness is not promised, but nearly every run should decide; far fewer means a broken proposer.
    expect(report.decided).toBeGreaterThan(seedCount * 0.9);
  });

  it('holds for two proposers on a much lossier network too', () => {
    const report = checkPaxosSafety(1000, 200, { proposerCount: 2, lossProbability: 0.3, duplicateProbability: 0.2 });
    expect(report.violations).toEqual([]);
  });

  it('holds with five competing proposers', () => {
    const report = checkPaxosSafety(5000, 100, { proposerCount: 5 });
    expect(report.violations).toEqual([]);
    expect(report.decided).toBeGreaterThan(90);
  });

  it('catches proposers that ignore accepted values (the checker can fail)', () => {
    const report = checkPaxosSafety(1, 100, { ignoresAcceptedValues: true });
    expect(report.violations.length).toBeGreaterThan(10);
    expect(report.violations[0].chosenValues.length).toBeGreaterThan(1);
  });

  it('replays a seed exactly', () => {
    expect(narrate(runRandomPaxos(77).trace)).toEqual(narrate(runRandomPaxos(77).trace));
    expect(narrate(runRandomPaxos(77).trace)).not.toEqual(narrate(runRandomPaxos(78).trace));
  });

  it('rejects an impossible proposer count', () => {
    expect(() => runRandomPaxos(1, { proposerCount: 9 })).toThrow(RangeError);
  });
});
