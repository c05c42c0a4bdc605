// One seeded run: N peers and M clients over the simulated network and disks. A safety phase injects
// faults (loss, duplication, delay spikes, partitions, crashes with lost unsynced writes); a liveness
// phase heals everything, restarts every peer and requires the ensemble to converge and commit a
// probe write. Checkers run on every apply (history.ts) and over the client histories at the end.

import { formatMessage, formatZxid, type Ready, type ServerId, type SoftState, type Txn, type Zxid } from '@coord/zab';
import { checkClientHistory } from './checkers';
import { SimClient, type OpRecord, type ReadRecord } from './clients';
import { SimFailure, type FailureKind } from './failure';
import { HistoryChecker } from './history';
import { SimNetwork } from './network';
import { SimNode, type NodeHooks } from './node';
import { swarmOptions, type SimOptions } from './options';
import { Rng } from './rng';
import { formatOp, opKey, type Op } from './state-machine';

export interface SimStats {
  acked: number;
  unknown: number;
  notSent: number;
  reads: number;
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
  const sim = new Simulation(swarmOptions(seed, overrides));
  return sim.run();
}

class Simulation implements NodeHooks {
  private readonly rng: Rng;
  private readonly network: SimNetwork;
  private readonly nodes = new Map<ServerId, SimNode>();
  private readonly ids: ServerId[];
  private readonly clients: SimClient[] = [];
  private readonly history = new HistoryChecker();
  private readonly ops: OpRecord[] = [];
  private readonly reads: ReadRecord[] = [];
  private readonly fsyncs = new Map<number, (() => void)[]>();
  private readonly trace: string[] = [];
  private readonly stats: SimStats = { acked: 0, unknown: 0, notSent: 0, reads: 0, crashes: 0, partitions: 0, leaderChanges: 0, messages: 0, applies: 0, lastZxid: '0.0', diffs: 0, truncs: 0, snaps: 0 };
  private time = 0;
  private faultsOn = true;
  private clientsOn = true;
  private probe: OpRecord | null = null;

  constructor(private readonly options: SimOptions) {
    this.rng = new Rng(options.seed);
    this.network = new SimNetwork(this.rng.fork(), options);
    this.ids = Array.from({ length: options.peers }, (_, i) => i + 1);
    const nodeRng = this.rng.fork();
    for (const id of this.ids) this.nodes.set(id, new SimNode(id, this.ids, options, nodeRng.fork(), this));
    const clientRng = this.rng.fork();
    for (let c = 0; c < options.clients; c++) this.clients.push(new SimClient(c, clientRng.pick(this.ids), clientRng.fork()));
  }

  run(): SimResult {
    let failure: SimResult['failure'] = null;
    try {
      for (const node of this.nodes.values()) node.start();
      const safetyEnd = this.options.safetyTicks * this.options.tickUnits;
      const end = safetyEnd + this.options.livenessTicks * this.options.tickUnits;
      for (this.time = 0; this.time < end; this.time++) {
        if (this.time === safetyEnd) this.enterLiveness();
        if (this.time === end - quiesceTicks * this.options.tickUnits) this.clientsOn = false;
        this.step();
      }
      this.checkLiveness();
      checkClientHistory(this.history.sequence(), this.ops, this.reads);
    } catch (error) {
      const e = error as Error;
      failure = error instanceof SimFailure ? { kind: error.kind, message: e.message } : { kind: 'crash', message: `t=${this.time}: ${e.stack ?? e.message}` };
    }
    this.stats.messages = this.network.sent;
    this.stats.applies = this.history.applies;
    this.stats.diffs = this.network.syncKinds.DIFF;
    this.stats.truncs = this.network.syncKinds.TRUNC;
    this.stats.snaps = this.network.syncKinds.SNAP;
    return { seed: this.options.seed, options: this.options, failure, stats: this.stats, trace: this.trace };
  }

  private step(): void {
    const now = this.time;
    for (const m of this.network.due(now)) {
      const node = this.nodes.get(m.to) as SimNode;
      if (node.peer === null) continue;
      if (this.options.traceMessages) this.log(formatMessage(m, formatOp));
      node.peer.step(m);
      node.pump();
    }
    const fsyncs = this.fsyncs.get(now);
    if (fsyncs !== undefined) {
      this.fsyncs.delete(now);
      for (const done of fsyncs) done();
    }
    if (now % this.options.tickUnits === 0) {
      if (this.faultsOn) this.injectFaults();
      for (const node of this.nodes.values()) node.tick();
      if (!this.clientsOn) this.driveProbe();
    }
    if (this.clientsOn) for (const client of this.clients) this.driveClient(client);
  }

  private injectFaults(): void {
    const o = this.options;
    const up = this.ids.filter((id) => this.node(id).up);
    if (this.rng.chance(o.crashProbability) && up.length > 0) {
      const node = this.node(this.rng.pick(up));
      node.crash();
      this.stats.crashes++;
      this.log(`crash ${node.id}`);
      this.failPendingAt(node.id);
    }
    const down = this.ids.filter((id) => !this.node(id).up);
    if (down.length > 0 && this.rng.chance(o.restartProbability)) {
      const node = this.node(this.rng.pick(down));
      this.log(`restart ${node.id}`);
      node.start();
    }
    if (this.rng.chance(o.partitionProbability)) {
      this.stats.partitions++;
      if (this.rng.chance(0.3)) {
        this.network.heal();
        this.log('heal');
      } else {
        this.log(`partition ${this.network.partition(this.ids, this.rng.chance(0.2))}`);
      }
    }
  }

  private enterLiveness(): void {
    this.faultsOn = false;
    this.network.heal();
    this.network.faults = { lossProbability: 0, duplicateProbability: 0, spikeProbability: 0, delayUnitsMax: this.options.delayUnitsMax };
    for (const node of this.nodes.values()) if (!node.up) node.start();
    this.log('liveness phase: healed, all peers up');
  }

  /** After the heal: one leader in broadcast, every peer following it, equal states, a probe write committed. */
  private checkLiveness(): void {
    const fail = (message: string): never => {
      throw new SimFailure('liveness', message);
    };
    const states = this.ids.map((id) => this.node(id).soft);
    const leaders = states.filter((s) => s?.state === 'LEADING' && s.phase === 'BROADCAST');
    if (leaders.length !== 1) fail(`expected one leader in broadcast after the heal, got: ${this.describeRoles()}`);
    if (states.some((s) => s?.phase !== 'BROADCAST')) fail(`not every peer is in broadcast after the heal: ${this.describeRoles()}`);
    if (this.probe?.outcome !== 'ok') fail(`the probe write did not commit after the heal (${this.probe?.outcome ?? 'never sent'}): ${this.describeRoles()}`);
    this.checkStorage();
    const digests = new Set(this.ids.map((id) => this.node(id).sm.digest()));
    if (digests.size !== 1) {
      throw new SimFailure('correctness', `replicas differ after convergence:\n${this.ids.map((id) => `  ${id}: ${this.node(id).sm.digest()}`).join('\n')}`);
    }
  }

  /** The storage checker: after convergence, every peer's durable log agrees with the agreed sequence. */
  private checkStorage(): void {
    for (const id of this.ids) {
      const node = this.node(id);
      node.disk.fsync();
      for (const txn of node.disk.durable.log) {
        const agreed = this.history.payloadAt(txn.zxid);
        if (txn.zxid <= node.sm.appliedZxid && JSON.stringify(agreed) !== JSON.stringify(txn.payload)) {
          throw new SimFailure('correctness', `peer ${id} logs ${formatZxid(txn.zxid)} as "${formatOp(txn.payload)}" but the agreed txn is ${agreed === undefined ? 'none' : `"${formatOp(agreed)}"`}`);
        }
      }
    }
  }

  private describeRoles(): string {
    return this.ids.map((id) => {
      const s = this.node(id).soft;
      return `${id}=${s === null ? 'down' : `${s.state}/${s.phase}/leader ${s.leader}`}`;
    }).join(' ');
  }

  private driveProbe(): void {
    const probe = this.probe;
    // A probe lost with its leader (e.g. the leader stepped down before proposing it) is retried.
    if (probe?.outcome === 'pending' && this.time - probe.invokeAt > this.options.opTimeoutUnits / 2) probe.outcome = 'unknown';
    if (probe !== null && probe.outcome !== 'unknown' && probe.outcome !== 'notSent') return;
    const leader = this.ids.find((id) => this.node(id).soft?.state === 'LEADING');
    if (leader === undefined) return;
    const payload: Op = { t: 'put', key: 'probe', value: `probe@${this.time}`, client: this.options.clients, op: this.time };
    const record: OpRecord = { payload, invokeAt: this.time, node: leader, outcome: 'pending' };
    this.probe = record;
    this.ops.push(record);
    record.outcome = this.node(leader).peer?.submit(payload) === true ? 'pending' : 'notSent';
  }

  private driveClient(client: SimClient): void {
    const o = this.options;
    const node = this.node(client.node);
    const pending = client.pending;
    if (pending !== null) {
      const invokedAt = pending.kind === 'write' ? pending.record.invokeAt : pending.invokeAt;
      if (this.time - invokedAt > o.opTimeoutUnits) this.giveUp(client);
      return;
    }
    if (node.peer === null) {
      client.moveTo(this.ids);
      return;
    }
    if (client.session !== null && this.time - client.lastTouchAt >= (o.sessionTimeoutTicks * o.tickUnits) / 3) {
      client.lastTouchAt = this.time;
      node.peer.submit({ t: 'touch', session: client.session, client: client.id, op: 0 });
    }
    if (!this.rng.chance(o.opProbability)) return;
    const action = client.nextAction();
    if ('write' in action) {
      const record: OpRecord = { payload: action.write, invokeAt: this.time, node: node.id, outcome: 'pending' };
      this.ops.push(record);
      if (node.peer.submit(action.write)) {
        client.pending = { kind: 'write', record };
      } else {
        record.outcome = 'notSent';
        this.stats.notSent++;
        client.settle(record);
        client.moveTo(this.ids);
      }
      return;
    }
    const syncId = node.peer.sync();
    if (syncId === null) client.moveTo(this.ids);
    else client.pending = { kind: 'read', syncId, node: node.id, invokeAt: this.time, key: action.readKey, session: client.session };
  }

  private giveUp(client: SimClient): void {
    const pending = client.pending;
    client.pending = null;
    if (pending?.kind === 'write') {
      pending.record.outcome = 'unknown';
      this.stats.unknown++;
      client.settle(pending.record);
    }
    client.moveTo(this.ids);
  }

  private failPendingAt(node: ServerId): void {
    for (const client of this.clients) if (client.pending !== null && client.node === node) this.giveUp(client);
  }

  // NodeHooks

  now(): number {
    return this.time;
  }

  send(ready: Ready<Op>, afterPersist: boolean): void {
    for (const m of afterPersist ? ready.messagesAfterPersist : ready.messages) this.network.send(this.time, m);
  }

  scheduleFsync(_node: SimNode, units: number, done: () => void): void {
    const at = this.time + units;
    const list = this.fsyncs.get(at);
    if (list === undefined) this.fsyncs.set(at, [done]);
    else list.push(done);
  }

  applied(node: SimNode, previous: Zxid, txn: Txn<Op>, ok: boolean): void {
    this.history.onApply(node.id, this.time, previous, txn);
    this.stats.lastZxid = formatZxid(txn.zxid);
    const p = txn.payload;
    if (this.probe !== null && this.probe.outcome === 'pending' && opKey(this.probe.payload) === opKey(p)) {
      this.ack(this.probe, txn.zxid, ok);
    }
    if (p.client < 0 || p.client >= this.clients.length) return;
    const client = this.clients[p.client];
    const pending = client.pending;
    if (pending?.kind !== 'write' || client.node !== node.id || opKey(pending.record.payload) !== opKey(p)) return;
    this.ack(pending.record, txn.zxid, ok);
    client.pending = null;
    client.settle(pending.record);
  }

  private ack(record: OpRecord, zxid: Zxid, ok: boolean): void {
    record.outcome = 'ok';
    record.ackAt = this.time;
    record.zxid = zxid;
    record.result = ok;
    this.stats.acked++;
  }

  restored(node: SimNode, zxid: Zxid): void {
    this.history.onRestore(node.id, zxid);
  }

  syncDone(node: SimNode, syncId: number): void {
    for (const client of this.clients) {
      const p = client.pending;
      if (p?.kind !== 'read' || p.node !== node.id || p.syncId !== syncId) continue;
      const { value, zxid } = node.sm.read(p.key);
      const ephemerals = p.session === null ? [] : node.sm.ephemeralsOf(p.session);
      this.reads.push({ client: client.id, invokeAt: p.invokeAt, doneAt: this.time, node: node.id, zxid, key: p.key, value, session: p.session, ephemerals });
      this.stats.reads++;
      client.pending = null;
    }
  }

  roleChanged(node: SimNode, soft: SoftState): void {
    const why = soft.state === 'LOOKING' ? ` (${node.peer?.status().lastElectionReason})` : '';
    this.log(`${node.id} ${soft.state} ${soft.phase} leader=${soft.leader ?? '-'} epoch=${soft.epoch}${why}`);
    if (soft.state === 'LEADING' && soft.phase === 'BROADCAST') this.stats.leaderChanges++;
    // ZooKeeper drops client connections when the server leaves broadcast: outcomes become unknown.
    if (soft.phase !== 'BROADCAST') {
      this.failPendingAt(node.id);
      if (this.probe?.outcome === 'pending' && this.probe.node === node.id) this.probe.outcome = 'unknown';
    }
  }

  private node(id: ServerId): SimNode {
    return this.nodes.get(id) as SimNode;
  }

  private log(line: string): void {
    this.trace.push(`t=${this.time} ${line}`);
    if (this.trace.length > traceLinesMax && !this.options.traceMessages) this.trace.shift();
  }
}
