import { emptyServerStats, lastOpName, traceMaskDefault } from './stats';

describe('lastOpName', () => {
  it.each([
    [11, 'PING'], [-10, 'SESS'], [14, 'MULT'], [22, 'MLTR'], [1, 'CREA'], [15, 'CREA'], [19, 'CREA'], [21, 'CREA'],
    [2, 'DELE'], [5, 'SETD'], [7, 'SETA'], [-11, 'CLOS'], [9, 'SYNC'], [13, 'CHEC'], [3, 'EXIS'], [4, 'GETD'],
    [101, 'SETW'], [105, 'STW2'], [106, 'ADDW'], [6, 'GETA'], [8, 'GETC'], [12, 'GETC'], [104, 'GETACN'], [17, 'CHKW'],
    [18, 'REMW'], [107, 'HOMI'], [103, 'GETE'], [100, 'NA'], [999, 'NA'],
  ])('opcode %p -> %s', (op, name) => expect(lastOpName(op)).toBe(name));
});

describe('emptyServerStats', () => {
  it('describes a fresh standalone server the way Apache shows one', () => {
    const s = emptyServerStats('3.9.3-x, built on 2026-01-01 00:00 UTC');
    expect(s.nodeCount).toBe(5); // Apache counts the root twice
    expect(s.traceMask).toBe(traceMaskDefault);
    expect(traceMaskDefault).toBe(306);
    expect(s.mode).toBe('standalone');
    expect(s.serving).toBe(true);
  });
});
