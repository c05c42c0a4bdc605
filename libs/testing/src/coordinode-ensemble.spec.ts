import { fourLetterWord, startCoordinodeEnsemble, startCoordinodeFollower } from './index';

describe('startCoordinodeEnsemble', () => {
  it('starts three member processes that elect one leader, finds a follower, and stops them all', async () => {
    const ensemble = await startCoordinodeEnsemble({ size: 3, config: { '4lw.commands.whitelist': '*' } });
    const pids = ensemble.members.map((m) => m.pid);
    try {
      expect(ensemble.members.map((m) => m.id)).toEqual([1, 2, 3]);
      expect(new Set(pids).size).toBe(3);
      const modes = await ensemble.modes();
      expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
      expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
      const follower = await ensemble.follower();
      expect(await fourLetterWord(follower.host, follower.port, 'srvr')).toMatch(/^Mode: follower$/m);
      const leader = await ensemble.waitForLeader(1000);
      expect(leader.id).not.toBe(follower.id);
      expect(ensemble.connectString.split(',')).toHaveLength(3);
    } finally {
      await ensemble.stop();
    }
    for (const m of ensemble.members) {
      expect(m.child.exitCode !== null || m.child.signalCode !== null).toBe(true);
      await expect(fourLetterWord(m.host, m.port, 'ruok', 1000)).rejects.toThrow();
    }
  }, 120_000);

  it('rejects an ensemble of no members', async () => {
    await expect(startCoordinodeEnsemble({ size: 0 })).rejects.toThrow(/at least one member/);
  });
});

describe('startCoordinodeFollower', () => {
  it('hands out a follower as one server whose stop() ends the whole ensemble', async () => {
    const server = await startCoordinodeFollower({ '4lw.commands.whitelist': '*' });
    try {
      expect(await fourLetterWord(server.host, server.port, 'srvr')).toMatch(/^Mode: follower$/m);
      expect(server.pid).toBe(server.member.pid);
    } finally {
      await server.stop();
    }
    for (const m of server.ensemble.members) await expect(fourLetterWord(m.host, m.port, 'ruok', 1000)).rejects.toThrow();
  }, 120_000);
});
