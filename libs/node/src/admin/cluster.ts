/**
 * The cluster overview: this member's own figures, and every other member's as its client port
 * answers `srvr` (the one four-letter word ZooKeeper always enables). A member's client port is known
 * from its `server.N=...;[host:]clientPort` line; without it the member is listed as not probed.
 */
import * as net from 'node:net';
import type { NodeConfig } from '../ops';

/** How long one member may take to answer srvr (ms). */
export const probeTimeoutMs = 1000;
/** Answers are reused for this long, however many browsers ask (ms). */
export const probeCacheMs = 1000;

export interface MemberView {
  id: number;
  self: boolean;
  clientAddress: string | null;
  /** leader, follower, standalone, `not serving`, `unreachable` or `unknown` (no client port configured). */
  mode: string;
  zxid: string | null;
  connections: number | null;
  latency: { min: number; avg: number; max: number } | null;
  outstanding: number | null;
  nodeCount: number | null;
}

export interface ClusterView {
  members: MemberView[];
  quorumSize: number;
  serving: number;
  leaderId: number | null;
  /** A leader is up and a quorum of voters serve. */
  healthy: boolean;
}

/** Parses `srvr` text (ZooKeeper's or ours) into a member's figures. */
export function parseSrvr(text: string): Pick<MemberView, 'mode' | 'zxid' | 'connections' | 'latency' | 'outstanding' | 'nodeCount'> | null {
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(text)?.[1];
  const mode = field('Mode');
  if (mode === undefined) return text.includes('not currently serving') ? { mode: 'not serving', zxid: null, connections: null, latency: null, outstanding: null, nodeCount: null } : null;
  const lat = field('Latency min/avg/max')?.split('/').map(Number);
  return {
    mode,
    zxid: field('Zxid') ?? null,
    connections: Number(field('Connections') ?? NaN),
    latency: lat && lat.length === 3 ? { min: lat[0], avg: lat[1], max: lat[2] } : null,
    outstanding: Number(field('Outstanding') ?? NaN),
    nodeCount: Number(field('Node count') ?? NaN),
  };
}

export function probeSrvr(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect({ host, port });
    const done = () => {
      socket.destroy();
      resolve(text);
    };
    socket.setTimeout(probeTimeoutMs, done);
    socket.on('connect', () => socket.write('srvr'));
    socket.on('data', (c) => (text += c.toString('utf8')));
    socket.on('end', done);
    socket.on('error', done);
  });
}

export class ClusterProbe {
  private cached: { at: number; view: Promise<ClusterView> } | null = null;

  constructor(
    private readonly config: NodeConfig,
    private readonly self: () => MemberView,
    private readonly leaderId: () => number | null,
  ) {}

  view(now: number): Promise<ClusterView> {
    if (this.cached && now - this.cached.at < probeCacheMs) return this.cached.view;
    const view = this.probe();
    this.cached = { at: now, view };
    return view;
  }

  private async probe(): Promise<ClusterView> {
    const self = this.self();
    if (this.config.members.length === 0) {
      return { members: [self], quorumSize: 1, serving: self.mode === 'standalone' ? 1 : 0, leaderId: null, healthy: self.mode === 'standalone' };
    }
    const members = await Promise.all(
      this.config.members.map(async (m): Promise<MemberView> => {
        if (m.id === this.config.serverId) return self;
        const empty = { id: m.id, self: false, zxid: null, connections: null, latency: null, outstanding: null, nodeCount: null };
        if (m.clientPort === undefined) return { ...empty, clientAddress: null, mode: 'unknown' };
        const host = m.clientHost && m.clientHost !== '0.0.0.0' ? m.clientHost : m.host;
        const parsed = parseSrvr(await probeSrvr(host, m.clientPort));
        return { ...empty, clientAddress: `${host}:${m.clientPort}`, ...(parsed ?? { mode: 'unreachable' }) };
      }),
    );
    const voters = this.config.members.filter((m) => m.role === 'participant').length;
    const quorumSize = Math.floor(voters / 2) + 1;
    const serving = members.filter((m) => m.mode === 'leader' || m.mode === 'follower').length;
    const leader = members.find((m) => m.mode === 'leader');
    return { members, quorumSize, serving, leaderId: leader?.id ?? this.leaderId(), healthy: leader !== undefined && serving >= quorumSize };
  }
}
