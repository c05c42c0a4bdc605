// The interaction environment behind testdata/*.txt: a few peers driven synchronously (persist is
// instant, nothing is lost unless a command says so) so that a script reads as the protocol's story.
// Payloads are strings; the "state machine" is the list of applied payloads, which doubles as snapshot data.

import { Peer } from '../peer';
import type { Message, ServerId, Snapshot, ZabTxn } from '../messages';
import type { PeerStorage } from '../config';
import type { ZabReady } from '../ready';
import { seededRand } from '../rand';
import { formatMessage } from '../format';
import { formatZxid } from '../zxid';

interface Node {
  peer: Peer<string> | null;
  storage: { acceptedEpoch: number; currentEpoch: number; snapshot: Snapshot; log: ZabTxn<string>[] };
  applied: string[];
  incarnation: number;
}

export class InteractionEnv {
  private readonly nodes = new Map<ServerId, Node>();
  private network: Message<string>[] = [];
  /** Partition sides: peers listed here are cut off from every peer not on the same side. */
  private readonly sides = new Map<ServerId, number>();
  private nextSide = 1;
  private voters: ServerId[] = [];
  private snapCount = 100_000;
  private out: string[] = [];

  handle(command: string): string {
    this.out = [];
    const [name, ...args] = command.trim().split(/\s+/);
    const handler = this.handlers[name];
    if (handler === undefined) throw new Error(`unknown command: ${name}`);
    handler(args);
    return this.out.join('\n');
  }

  private readonly handlers: Record<string, (args: string[]) => void> = {
    'add-peers': (args) => {
      this.snapCount = Number(option(args, 'snapCount') ?? 100_000);
      const n = Number(args[0]);
      this.voters = Array.from({ length: n }, (_, i) => i + 1);
      for (const id of this.voters) {
        this.nodes.set(id, { peer: null, storage: { acceptedEpoch: 0, currentEpoch: 0, snapshot: { zxid: 0, data: [] }, log: [] }, applied: [], incarnation: 0 });
        this.start(id);
      }
      this.processAll();
    },
    tick: (args) => {
      const times = Number(option(args, 'x') ?? 1);
      const ids = this.select(args[0]);
      // Between ticks the network delivers everything in flight (not shown): a tick is long compared
      // with a message. Only state changes and applied txns are printed.
      for (let t = 0; t < times; t++) {
        for (const id of ids) this.node(id).peer?.tick();
        this.stabilize(args.includes('trace') ? 'quiet' : 'none');
      }
    },
    stabilize: (args) => this.stabilize(args.includes('quiet') ? 'quiet' : 'all'),
    // Runs a whole election (deliver, one tick for finalizeWait, deliver) and prints only the outcome.
    elect: () => {
      this.stabilize('none');
      for (const id of this.select('all')) this.node(id).peer?.tick();
      this.stabilize('none');
      this.out = [];
      this.handlers.status([]);
    },
    propose: (args) => {
      const zxid = this.live(Number(args[0])).propose(args.slice(1).join(' '));
      this.log(`${args[0]}: propose -> ${zxid === null ? 'rejected' : formatZxid(zxid)}`);
      this.processAll();
    },
    submit: (args) => {
      const ok = this.live(Number(args[0])).submit(args.slice(1).join(' '));
      this.log(`${args[0]}: submit -> ${ok ? 'accepted' : 'rejected'}`);
      this.processAll();
    },
    sync: (args) => {
      const id = this.live(Number(args[0])).sync();
      this.log(`${args[0]}: sync -> ${id === null ? 'rejected' : `id=${id}`}`);
      this.processAll();
    },
    crash: (args) => {
      const id = Number(args[0]);
      this.node(id).peer = null;
      this.log(`${id}: crashed`);
    },
    restart: (args) => {
      this.start(Number(args[0]));
      this.processAll();
    },
    // Messages already queued to or from the peer are lost (the connection died with the process).
    'drop-messages': (args) => {
      const id = Number(args[0]);
      const before = this.network.length;
      this.network = this.network.filter((m) => m.from !== id && m.to !== id);
      this.log(`dropped ${before - this.network.length} messages`);
    },
    // Edits the disk of a crashed peer, to stage states that take many faults to reach.
    'set-epochs': (args) => {
      const node = this.node(Number(args[0]));
      if (node.peer !== null) throw new Error('set-epochs needs a crashed peer');
      node.storage.acceptedEpoch = Number(option(args, 'accepted') ?? node.storage.acceptedEpoch);
      node.storage.currentEpoch = Number(option(args, 'current') ?? node.storage.currentEpoch);
    },
    isolate: (args) => {
      this.sides.set(Number(args[0]), this.nextSide++);
    },
    // `partition 4,5`: the listed peers can talk among themselves, not with the rest.
    partition: (args) => {
      const side = this.nextSide++;
      for (const id of args[0].split(',').map(Number)) this.sides.set(id, side);
    },
    heal: () => this.sides.clear(),
    compact: (args) => {
      const id = Number(args[0]);
      const node = this.node(id);
      const status = this.live(id).status();
      const snapshot = { zxid: status.commitZxid, data: [...node.applied] };
      this.live(id).compact(snapshot);
      node.storage.snapshot = snapshot;
      node.storage.log = node.storage.log.filter((t) => t.zxid > snapshot.zxid);
      this.log(`${id}: snapshot at ${formatZxid(snapshot.zxid)}, log keeps ${node.storage.log.length} txns`);
    },
    status: (args) => {
      for (const id of this.select(args[0])) {
        const peer = this.node(id).peer;
        if (peer === null) {
          this.log(`${id}: down`);
          continue;
        }
        const s = peer.status();
        this.log(`${id}: ${s.state} ${s.phase} leader=${s.leader ?? '-'} epochs=${s.acceptedEpoch}/${s.currentEpoch} last=${formatZxid(s.lastZxid)} committed=${formatZxid(s.commitZxid)}${s.state === 'LOOKING' ? ` (${s.lastElectionReason})` : ''}`);
      }
    },
    log: (args) => {
      for (const id of this.select(args[0])) {
        const s = this.node(id).storage;
        this.log(`${id}: snapshot@${formatZxid(s.snapshot.zxid)} log=[${s.log.map((t) => `${formatZxid(t.zxid)} ${t.payload}`).join(', ')}] applied=[${this.node(id).applied.join(', ')}]`);
      }
    },
  };

  private start(id: ServerId): void {
    const node = this.node(id);
    node.incarnation++;
    const storage: PeerStorage<string> = { ...node.storage, log: [...node.storage.log] };
    node.applied = [...(node.storage.snapshot.data as string[])];
    node.peer = new Peer<string>({ id, voters: this.voters, rand: seededRand(id * 1000 + node.incarnation), storage, snapCount: this.snapCount, checkInvariants: true });
    if (node.incarnation > 1) this.log(`${id}: restarted with log up to ${formatZxid(node.peer.status().lastZxid)}`);
  }

  private stabilize(show: 'all' | 'quiet' | 'none'): void {
    this.processAll();
    for (let guard = 0; this.network.length > 0; guard++) {
      if (guard > 10_000) throw new Error('stabilize: no fixpoint');
      const m = this.network.shift() as Message<string>;
      const target = this.nodes.get(m.to)?.peer ?? null;
      if (target === null || (this.sides.get(m.to) ?? 0) !== (this.sides.get(m.from) ?? 0)) continue;
      if (show === 'all' || (show === 'quiet' && m.type !== 'NOTIFICATION' && m.type !== 'PING')) this.log(formatMessage(m));
      target.step(m);
      this.processAll();
    }
  }

  private processAll(): void {
    for (const id of this.voters) {
      const peer = this.node(id).peer;
      while (peer !== null && peer.hasReady()) this.process(id, peer, peer.ready());
    }
  }

  private process(id: ServerId, peer: Peer<string>, ready: ZabReady<string>): void {
    const node = this.node(id);
    if (ready.softState !== undefined) {
      const s = ready.softState;
      this.log(`${id}: ${s.state} ${s.phase} leader=${s.leader ?? '-'} epoch=${s.epoch}`);
    }
    const p = ready.persist;
    const storage = node.storage;
    if (p.snapshot !== undefined) {
      storage.snapshot = p.snapshot;
      storage.log = [];
    }
    if (p.truncateAfter !== undefined) {
      const dropped = storage.log.filter((t) => t.zxid > (p.truncateAfter as number));
      if (dropped.length > 0) this.log(`${id}: truncated ${dropped.map((t) => formatZxid(t.zxid)).join(', ')}`);
      storage.log = storage.log.filter((t) => t.zxid <= (p.truncateAfter as number));
    }
    storage.log.push(...p.entries);
    if (p.acceptedEpoch !== undefined) storage.acceptedEpoch = p.acceptedEpoch;
    if (p.currentEpoch !== undefined) storage.currentEpoch = p.currentEpoch;
    this.network.push(...ready.messages, ...ready.messagesAfterPersist);
    if (p.snapshot !== undefined) {
      node.applied = [...(p.snapshot.data as string[])];
      this.log(`${id}: restored snapshot at ${formatZxid(p.snapshot.zxid)}`);
    }
    for (const txn of ready.committed) {
      node.applied.push(txn.payload);
      this.log(`${id}: applied ${formatZxid(txn.zxid)} ${txn.payload}`);
    }
    for (const done of ready.syncsDone) this.log(`${id}: sync id=${done.syncId} done at ${formatZxid(done.zxid)}`);
    for (const r of ready.requests) {
      const zxid = peer.propose(r.request);
      this.log(`${id}: request from ${r.from} ${r.request} -> proposed ${zxid === null ? 'none' : formatZxid(zxid)}`);
    }
    peer.advance(ready);
  }

  private select(arg: string | undefined): ServerId[] {
    if (arg === undefined || arg === 'all' || arg.includes('=')) return this.voters.filter((id) => this.node(id).peer !== null);
    return arg.split(',').map(Number);
  }

  private node(id: ServerId): Node {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no peer ${id}`);
    return node;
  }

  private live(id: ServerId): Peer<string> {
    const peer = this.node(id).peer;
    if (peer === null) throw new Error(`peer ${id} is down`);
    return peer;
  }

  private log(line: string): void {
    this.out.push(line);
  }
}

function option(args: string[], name: string): string | undefined {
  const hit = args.find((a) => a.startsWith(`${name}=`));
  return hit?.slice(name.length + 1);
}
