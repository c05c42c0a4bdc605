import { withoutEpoch } from './zxid-epoch';

describe('withoutEpoch', () => {
  it('rewrites zkCli.sh stat lines and scenario stat lines of the given epoch to their counter', () => {
    expect(withoutEpoch('cZxid = 0x100000005\nmZxid = 0x10000000a\npZxid = 0x0', 1n)).toBe('cZxid = 0x5\nmZxid = 0xa\npZxid = 0x0');
    expect(withoutEpoch('czxid=4294967301 mzxid=4294967306 pzxid=0 version=1', 1n)).toBe('czxid=5 mzxid=10 pzxid=0 version=1');
  });

  it('leaves zxids of another epoch as they are, so an election during a run still shows up', () => {
    expect(withoutEpoch('cZxid = 0x200000003', 1n)).toBe('cZxid = 0x200000003');
    expect(withoutEpoch('czxid=8589934595', 1n)).toBe('czxid=8589934595');
  });

  it('leaves epoch 0 (a standalone server) and everything that is not a zxid alone', () => {
    expect(withoutEpoch('cZxid = 0x100000005', 0n)).toBe('cZxid = 0x100000005');
    expect(withoutEpoch('version = 4294967301\nsomething=4294967301', 1n)).toBe('version = 4294967301\nsomething=4294967301');
  });
});
