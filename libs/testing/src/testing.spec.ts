import { freePort, tempDir, startApacheZooKeeper, startApacheEnsemble, fourLetterWord } from './index';
import { existsSync } from 'node:fs';

describe('@coord/testing', () => {
  it('freePort returns a bindable loopback port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });

  it('tempDir creates and removes a directory', async () => {
    const dir = await tempDir();
    expect(existsSync(dir.path)).toBe(true);
    await dir.remove();
    expect(existsSync(dir.path)).toBe(false);
  });

  it('starts and stops the Apache ZooKeeper reference server', async () => {
    const zk = await startApacheZooKeeper();
    try {
      expect(await fourLetterWord(zk.host, zk.port, 'ruok')).toBe('imok');
      expect(await fourLetterWord(zk.host, zk.port, 'srvr')).toMatch(/Mode: standalone/);
    } finally {
      await zk.stop();
    }
    await expect(fourLetterWord(zk.host, zk.port, 'ruok', 1000)).rejects.toThrow();
  }, 60_000);
});

describe('startApacheEnsemble', () => {
  it('starts three members that elect one leader, and stops them', async () => {
    const ensemble = await startApacheEnsemble(3);
    try {
      const modes = await Promise.all(
        ensemble.members.map(async (m) => /^Mode: (\w+)/m.exec(await fourLetterWord(m.host, m.port, 'srvr'))?.[1]),
      );
      expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
      expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
    } finally {
      await ensemble.stop();
    }
  }, 90_000);
});
