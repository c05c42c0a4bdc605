import { EventEmitter } from 'node:events';
import type { ClientState, ZkClient } from '@coord/client';
import { deleteQuietly, ensurePath } from './paths';
import { queueDecision } from './queue-decision';

/**
 * Leader election: every participant holds an ephemeral sequential child of `dir`; the lowest is the
 * leader, the others watch their predecessor. After a session loss the latch steps down at once and
 * rejoins (at the back of the queue) when the client has a new session.
 */
export class LeaderLatch extends EventEmitter<{ leader: []; follower: [] }> {
  private me: string | null = null;
  private leader = false;
  private closed = false;
  private running: Promise<void> = Promise.resolve();
  private readonly onState = (s: ClientState) => {
    if (s === 'lost' || s === 'closed') this.setLeader(false);
    if (s === 'lost') this.me = null;
    if ((s === 'connected' || s === 'reconnected') && this.me === null) this.schedule();
  };

  constructor(
    private readonly zk: ZkClient,
    readonly dir: string,
    private readonly id: string,
  ) {
    super();
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** Joins the election; resolves once this participant's node exists (not when it leads). */
  async start(): Promise<void> {
    this.zk.on('state', this.onState);
    await ensurePath(this.zk, this.dir);
    const { path } = await this.zk.create(`${this.dir}/n_`, this.id, { mode: 'ephemeral-sequential' });
    this.me = path.slice(this.dir.length + 1);
    this.schedule();
    await this.running;
  }

  /** Leaves the election (deletes the node, so the next participant takes over immediately). */
  async close(): Promise<void> {
    this.closed = true;
    this.zk.off('state', this.onState);
    this.setLeader(false);
    await this.running.catch(() => undefined);
    if (this.me) await deleteQuietly(this.zk, `${this.dir}/${this.me}`);
    this.me = null;
  }

  private schedule(): void {
    this.running = this.running.then(() => this.check()).catch(() => undefined);
  }

  private async check(): Promise<void> {
    if (this.closed) return;
    if (this.me === null) {
      const { path } = await this.zk.create(`${this.dir}/n_`, this.id, { mode: 'ephemeral-sequential' });
      this.me = path.slice(this.dir.length + 1);
    }
    const { children } = await this.zk.getChildren(this.dir);
    const decision = queueDecision(children, this.me);
    if (decision.kind === 'first') return this.setLeader(true);
    this.setLeader(false);
    if (decision.kind === 'missing') {
      this.me = null;
      return this.schedule();
    }
    const stat = await this.zk.exists(`${this.dir}/${decision.predecessor}`, {
      watch: (e) => {
        if (e.type === 'NodeDeleted') this.schedule();
      },
    });
    if (stat === null) this.schedule();
  }

  private setLeader(value: boolean): void {
    if (value === this.leader) return;
    this.leader = value;
    this.emit(value ? 'leader' : 'follower');
  }
}
