import { randomUUID } from 'node:crypto';
import type { ZkClient } from '@coord/client';
import { ensurePath, sequenceOf, sortBySequence } from '@coord/recipes';
import type { HeldLock } from './backend';

/**
 * The anti-pattern, for comparison only (`--lock=herd`): every waiter watches the lock node's children,
 * so each release wakes all of them and all but one go back to sleep (the herd effect). Still correct,
 * still FIFO; it just costs N wake-ups and N reads per handoff where the recipe needs one.
 */
export class HerdLock {
  wakeUps = 0;

  constructor(
    private readonly zk: ZkClient,
    private readonly dir: string,
  ) {}

  async acquire(): Promise<HeldLock> {
    await ensurePath(this.zk, this.dir);
    const { path } = await this.zk.create(`${this.dir}/herd-${randomUUID()}-`, null, { mode: 'ephemeral-sequential' });
    const me = path.slice(this.dir.length + 1);
    for (;;) {
      let wake!: () => void;
      const changed = new Promise<void>((r) => (wake = r));
      const { children } = await this.zk.getChildren(this.dir, {
        watch: (e) => {
          if (e.type === 'NodeChildrenChanged') this.wakeUps++;
          wake();
        },
      });
      if (sortBySequence(children)[0] === me) {
        return { fencingToken: sequenceOf(me), release: () => this.zk.delete(path).catch(() => undefined) };
      }
      await changed;
    }
  }
}
