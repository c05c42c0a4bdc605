// One seeded run: N members (each the real pipeline on a real ZAB peer, member.ts) and M clients that
// speak the ZooKeeper protocol to them (clients.ts), over the simulated network, client links and
// disks. A safety phase injects faults (loss, duplication, delay spikes, partitions, crashes with lost
// unsynced writes); a liveness phase heals everything, restarts every member and requires the ensemble
// to converge and answer a probe write. The history checker runs on every apply (history.ts); the
// client-history checkers run at the end over the agreed sequence (model.ts, checkers.ts).

import { formatMessage, formatZxid, type Message, type ServerId, type SoftState, type ZabTxn, type Zxid } from '@coord/zab';
import { perConnection, type Effect } from '@coord/server';
import { checkClientHistory } from './checkers';
import { SimClient, type ClientWorld, type ReadRecord, type SimConn, type WatchRecord, type WriteRecord } from './clients';
import { SimFailure, type FailureKind } from './failure';
import { HistoryChecker } from './history';
import { msPerUnit, SimMember, type MemberHooks } from './member';
import { SequenceModel } from './model';
import { SimNetwork } from './network';
import { swarmOptions, type SimOptions } from './options';
import { Rng } from './rng';

export interface SimStats {
  acked: number;
  unknown: number;
  reads: number;
  syncedReads: number;
  watchesFired: number;
  sessions: number;
  expired: number;
  reconnects: number;
  resets: number;
  crashes: number;
  partitions: number;
  leaderChanges: number;
  messages: number;
  applies: number;
  lastZxid: string;
  diffs: number;
  truncs: number;
  snaps: number;
}

export interface SimResult {
  readonly seed: number;
  readonly options: SimOptions;
  readonly failure: { kind: FailureKind; message: string } | null;
  readonly stats: SimStats;
  readonly trace: readonly string[];
}

/** Lines of trace kept for a failure report (the tail is what explains it). */
const traceLinesMax = 2000;
/** Ticks at the end of the liveness phase without new client operations, for the ensemble to settle. */
const quiesceTicks = 40;

export function runSeed(seed: number, overrides: Partial<SimOptions> = {}): SimResult {
  return new Simulation(swarmOptions(seed, overrides)).run();
}

interface Link {
  readonly conn: SimConn;
  readonly client: SimClient;
  /** Per direction, the last delivery time: client links are streams (FIFO), as TCP is. */
  upTail: number;
  downTail: number;
}

class Simulation implements MemberHooks, ClientWorld {
  private readonly rng: Rng;
  private readonly linkRng: Rng;
  private readonly network: SimNetwork;
  private readonly members = new Map<ServerId, SimMember>();
  readonly memberIds: ServerId[];
  private readonly clients: SimClient[] = [];
  private probe: SimClient | null = null;
  private readonly links = new Map<number, Link>();
  private nextConnId = 1;
  private readonly history = new HistoryChecker();
  private readonly writes: WriteRecord[] = [];
  private readonly reads: ReadRecord[] = [];
  private readonly watches: WatchRecord[] = [];
  /** Timed events (fsync completions, client-link deliveries) by time unit, in scheduling order. */
  private readonly events = new Map<number, (() => void)[]>();
  private readonly trace: string[] = [];
  private readonly stats: SimStats = {
    acked: 0, unknown: 0, reads: 0, syncedReads: 0, watchesFired: 0, sessions: 0, expired: 0, reconnects: 0, resets: 0, crashes: 0, partitions: 0, leaderChanges: 0,
    messages: 0, applies: 0, lastZxid: '0.0', diffs: 0, truncs: 0, snaps: 0,
  };
  private time = 0;
  private faultsOn = true;

  constructor(private readonly options: SimOptions) {
    this.rng = new Rng(options.seed);
    this.network = new SimNetwork(this.rng.fork(), options);
    this.linkRng = this.rng.fork();
    this.memberIds = Array.from({ length: options.peers }, (_, i) => i + 1);
    const memberRng = this.rng.fork();
    for (const id of this.memberIds) this.members.set(id, new SimMember(id, this.memberIds, options, memberRng.fork(), this));
    const clientRng = this.rng.fork();
    for (let c = 0; c < options.clients; c++) this.clients.push(new SimClient(c, clientRng.fork(), options, this, msPerUnit));
  }

  run(): SimResult {
    let failure: SimResult['failure'] = null;
    let model: SequenceModel | null = null;
    try {
      for (const member of this.members.values()) member.start();
      const o = this.options;
      const safetyEnd = o.safetyTicks * o.tickUnits;
      const end = safetyEnd + o.livenessTicks * o.tickUnits;
      for (this.time = 0; this.time < end; this.time++) {
        if (this.time === safetyEnd) this.enterLiveness();
        if (this.time === end - quiesceTicks * o.tickUnits) this.quiesce();
        this.step();
      }
      this.checkLiveness();
      model = new SequenceModel(this.history.sequence());
      this.checkFinalState(model);
      checkClientHistory(model, this.writes, this.reads, this.watches);
    } catch (error) {
      const e = error as Error;
      failure = error instanceof SimFailure ? { kind: error.kind, message: `t=${this.time}: ${e.message}` } : { kind: 'crash', message: `t=${this.time}: ${e.stack ?? e.message}` };
    }
    this.countStats(model);
    this.stats.messages = this.network.sent;
    this.stats.applies = this.history.applies;
    this.stats.diffs = this.network.syncKinds.DIFF;
    this.stats.truncs = this.network.syncKinds.TRUNC;
    this.stats.snaps = this.network.syncKinds.SNAP;
    return { seed: this.options.seed, options: this.options, failure, stats: this.stats, trace: this.trace };
  }

  private step(): void {
    const now = this.time;
    const o = this.options;
    for (const m of this.network.due(now)) {
      const member = this.member(m.to);
      if (!member.up) continue;
      if (o.traceMessages) this.log(formatMessage(m, (p) => `${p.length}B`));
      member.onPeerMessage(m);
    }
    const due = this.events.get(now);
    if (due !== undefined) {
      this.events.delete(now);
      for (const run of due) run();
    }
    if (now % o.tickUnits === 0) {
      if (this.faultsOn) this.injectFaults();
      for (const member of this.members.values()) member.tick();
    }
    // The node runs its pipeline's tick every tickTime/4.
    if (now % Math.max(1, Math.floor(o.tickUnits / 4)) === 0) for (const member of this.members.values()) member.coreTick();
    for (const client of this.clients) client.step();
    this.probe?.step();
  }

  /** Runs `run` at `time`, which must be in the future (events due now have been taken already). */
  private at(time: number, run: () => void): void {
    if (time <= this.time) throw new Error(`event scheduled at t=${time}, not after t=${this.time}`);
    const list = this.events.get(time);
    if (list === undefined) this.events.set(time, [run]);
    else list.push(run);
  }

  private injectFaults(): void {
    const o = this.options;
    const up = this.memberIds.filter((id) => this.member(id).up);
    if (this.rng.chance(o.crashProbability) && up.length > 0) {
      const member = this.member(this.rng.pick(up));
      this.log(`crash ${member.id}`);
      member.crash();
      this.stats.crashes++;
    }
    const down = this.memberIds.filter((id) => !this.member(id).up);
    if (down.length > 0 && this.rng.chance(o.restartProbability)) {
      const member = this.member(this.rng.pick(down));
      this.log(`restart ${member.id}`);
      member.start();
    }
    if (this.links.size > 0 && this.rng.chance(o.connectionResetProbability)) {
      const links = [...this.links.values()];
      const link = links[this.rng.intBelow(links.length)];
      this.log(`reset connection ${link.conn.id} (client ${link.client.id}, member ${link.conn.member})`);
      this.stats.resets++;
      this.resetConnection(link);
    }
    if (this.rng.chance(o.partitionProbability)) {
      this.stats.partitions++;
      if (this.rng.chance(0.3)) {
        this.network.heal();
        this.log('heal');
      } else {
        this.log(`partition ${this.network.partition(this.memberIds, this.rng.chance(0.2))}`);
      }
    }
  }

  private enterLiveness(): void {
    this.faultsOn = false;
    this.network.heal();
    this.network.faults = { lossProbability: 0, duplicateProbability: 0, spikeProbability: 0, delayUnitsMax: this.options.delayUnitsMax };
    for (const member of this.members.values()) if (!member.up) member.start();
    this.log('liveness phase: healed, all members up');
  }

  /** The clients stop sending (they keep their sessions alive); a probe client must get one write through. */
  private quiesce(): void {
    for (const client of this.clients) client.active = false;
    this.probe = new SimClient(this.options.clients, this.rng.fork(), this.options, this, msPerUnit, true);
    this.log('quiesce: clients idle, probe client starts');
  }

  /** After the heal: one leader in broadcast, every member following it, the probe answered, equal replicas. */
  private checkLiveness(): void {
    const fail = (message: string): never => {
      throw new SimFailure('liveness', message);
    };
    const states = this.memberIds.map((id) => this.member(id).soft);
    const leaders = states.filter((s) => s?.state === 'LEADING' && s.phase === 'BROADCAST');
    if (leaders.length !== 1) fail(`expected one leader in broadcast after the heal, got: ${this.describeRoles()}`);
    if (states.some((s) => s?.phase !== 'BROADCAST')) fail(`not every member is in broadcast after the heal: ${this.describeRoles()}`);
    if (this.probe?.probeDone !== true) fail(`the probe write was not answered after the heal: ${this.describeRoles()}`);
  }

  /** Every member holds the same tree, sessions and applied zxid; its durable log agrees with the sequence; its ephemerals are the model's. */
  private checkFinalState(model: SequenceModel): void {
    const digests = this.memberIds.map((id) => digestOf(this.member(id)));
    if (new Set(digests).size !== 1) {
      throw new SimFailure('correctness', `replicas differ after convergence:\n${this.memberIds.map((id, i) => `  ${id}: ${digests[i].slice(0, 400)}`).join('\n')}`);
    }
    const expected = [...model.liveEphemeralOwners()].map(([p, o]) => `${p}:${o.toString(16)}`).sort().join(',');
    const core = this.member(1).core;
    const actual = [...(core?.tree.entries() ?? [])].filter(([, n]) => n.ephemeralOwner !== 0n).map(([p, n]) => `${p}:${n.ephemeralOwner.toString(16)}`).sort().join(',');
    if (expected !== actual) throw new SimFailure('correctness', `the members' ephemerals [${actual}] are not the sequence's [${expected}]`);
    for (const id of this.memberIds) {
      const member = this.member(id);
      member.disk.fsync();
      const applied = member.core?.lastProcessedZxid ?? 0;
      for (const txn of member.disk.durable.log) {
        const agreed = this.history.payloadAt(txn.zxid);
        if (txn.zxid <= applied && (agreed === undefined || Buffer.compare(agreed, txn.payload) !== 0)) {
          throw new SimFailure('correctness', `member ${id} logs ${formatZxid(txn.zxid)} with other bytes than the agreed txn`);
        }
      }
    }
  }

  /** The counts; those read off the agreed sequence only once it was checked (`model`). */
  private countStats(model: SequenceModel | null): void {
    this.stats.acked = this.writes.filter((w) => w.outcome === 'answered' && w.ok === true).length;
    this.stats.unknown = this.writes.filter((w) => w.outcome === 'unknown').length;
    this.stats.reads = this.reads.length;
    this.stats.syncedReads = this.reads.filter((r) => r.afterSync).length;
    this.stats.watchesFired = this.watches.filter((w) => w.firedZxid !== null).length;
    this.stats.sessions = model?.createdAt.size ?? 0;
    this.stats.expired = model?.txns.filter((s) => s.txn.op.type === 'closeSession' && s.txn.cxid === 0).length ?? 0;
    this.stats.reconnects = this.clients.reduce((n, c) => n + c.reconnects, 0);
  }

  private describeRoles(): string {
    return this.memberIds.map((id) => {
      const s = this.member(id).soft;
      return `${id}=${s === null ? 'down' : `${s.state}/${s.phase}/leader ${s.leader}`}`;
    }).join(' ');
  }

  private member(id: ServerId): SimMember {
    return this.members.get(id) as SimMember;
  }

  private log(line: string): void {
    this.trace.push(`t=${this.time} ${line}`);
    if (this.trace.length > traceLinesMax && !this.options.traceMessages) this.trace.shift();
  }

  private linkDelay(): number {
    return 1 + this.linkRng.intBelow(this.options.delayUnitsMax);
  }

  // ClientWorld

  now(): number {
    return this.time;
  }

  open(client: SimClient, memberId: ServerId): SimConn {
    const member = this.member(memberId);
    const conn: SimConn = { id: this.nextConnId++, member: memberId, memberIncarnation: member.up ? member.incarnation : -1, open: true };
    this.links.set(conn.id, { conn, client, upTail: 0, downTail: 0 });
    if (member.core === null) {
      // Connection refused.
      this.at(this.time + 1, () => this.closeToClient(conn));
      return conn;
    }
    member.core.connectionOpened({ id: conn.id, remoteAddress: `10.0.0.${client.id + 1}`, remotePort: 30000 + (conn.id % 30000) });
    return conn;
  }

  send(conn: SimConn, body: Buffer): void {
    const link = this.links.get(conn.id);
    if (link === undefined) return; // reset: the bytes go nowhere, the client learns soon
    const at = Math.max(this.time + this.linkDelay(), link.upTail);
    link.upTail = at;
    this.at(at, () => {
      const member = this.member(conn.member);
      if (!conn.open || member.core === null || member.incarnation !== conn.memberIncarnation) return;
      member.core.receive(conn.id, body);
      member.pump();
    });
  }

  close(conn: SimConn): void {
    conn.open = false;
    this.links.delete(conn.id);
    this.at(this.time + this.linkDelay(), () => {
      const member = this.member(conn.member);
      if (member.core === null || member.incarnation !== conn.memberIncarnation) return;
      member.core.connectionClosed(conn.id);
      member.pump();
    });
  }

  /** A reset: both ends learn after a link delay; frames still in flight are lost. */
  private resetConnection(link: Link): void {
    const conn = link.conn;
    conn.open = false;
    this.links.delete(conn.id);
    this.at(this.time + this.linkDelay(), () => link.client.onClosed(conn));
    this.at(this.time + this.linkDelay(), () => {
      const member = this.member(conn.member);
      if (member.core === null || member.incarnation !== conn.memberIncarnation) return;
      member.core.connectionClosed(conn.id);
      member.pump();
    });
  }

  private closeToClient(conn: SimConn): void {
    const link = this.links.get(conn.id);
    if (link === undefined) return;
    conn.open = false;
    this.links.delete(conn.id);
    link.client.onClosed(conn);
  }

  recordWrite(record: WriteRecord): void {
    this.writes.push(record);
  }

  recordRead(record: ReadRecord): void {
    this.reads.push(record);
  }

  recordWatch(record: WatchRecord): void {
    this.watches.push(record);
  }

  note(line: string): void {
    this.log(line);
  }

  // MemberHooks

  sendPeer(_member: SimMember, m: Message<Uint8Array>): void {
    this.network.send(this.time, m);
  }

  deliver(_member: SimMember, effects: readonly Effect[]): void {
    for (const effect of perConnection(effects)) {
      const link = this.links.get(effect.connId);
      if (link === undefined) continue;
      const at = Math.max(this.time + this.linkDelay(), link.downTail);
      link.downTail = at;
      if (effect.kind === 'send') {
        const frame = effect.frame;
        this.at(at, () => {
          if (link.conn.open) link.client.onFrame(link.conn, frame.subarray(4));
        });
      } else {
        this.at(at, () => this.closeToClient(link.conn));
      }
    }
  }

  scheduleFsync(_member: SimMember, units: number, done: () => void): void {
    this.at(this.time + units, done);
  }

  applied(member: SimMember, previous: Zxid, txn: ZabTxn<Uint8Array>): void {
    this.history.onApply(member.id, this.time, previous, txn);
    this.stats.lastZxid = formatZxid(txn.zxid);
  }

  restored(member: SimMember, zxid: Zxid): void {
    this.history.onRestore(member.id, zxid);
  }

  roleChanged(member: SimMember, soft: SoftState): void {
    const why = soft.state === 'LOOKING' ? ` (${member.peer?.status().lastElectionReason})` : '';
    this.log(`${member.id} ${soft.state} ${soft.phase} leader=${soft.leader ?? '-'} epoch=${soft.epoch}${why}`);
    if (soft.state === 'LEADING' && soft.phase === 'BROADCAST') this.stats.leaderChanges++;
  }

  crashed(member: SimMember): void {
    // Like a reset TCP connection: the clients learn at once.
    for (const link of [...this.links.values()]) {
      if (link.conn.member !== member.id || link.conn.memberIncarnation !== member.incarnation) continue;
      this.at(this.time + 1, () => this.closeToClient(link.conn));
    }
  }
}

/** A canonical rendering of a member's applied state: its tree, sessions and zxid. */
function digestOf(member: SimMember): string {
  const core = member.core;
  if (core === null) return 'down';
  const nodes = [...core.tree.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([p, n]) => `${p}=${n.data?.toString('hex') ?? '-'}/${n.version}/${n.cversion}/${n.czxid}/${n.mzxid}/${n.pzxid}/${n.ephemeralOwner}`);
  const sessions = [...core.sessions.all()].map((s) => s.sessionId).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `${core.lastProcessedZxid}|${nodes.join(',')}|${sessions.join(',')}`;
}
