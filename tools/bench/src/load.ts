import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsOptions } from 'node:tls';

/**
 * A pipelined ZooKeeper load generator: C connections, each keeping K requests in flight, for a fixed
 * time. It speaks the wire protocol directly with pre-encoded frames so the generator costs as little
 * as possible, and records every request's latency (send to reply, FIFO per connection).
 */
export type BenchOp = 'get' | 'exists' | 'set' | 'create';

export interface LoadOptions {
  host: string;
  port: number;
  op: BenchOp;
  connections: number;
  inflight: number;
  durationMs: number;
  warmupMs: number;
  valueBytes: number;
  /** Spread connections over these servers (lane i uses endpoints[i % n]); default: host:port. */
  endpoints?: Array<{ host: string; port: number }>;
  /** Connect with TLS (a secureClientPort) with these options. */
  tls?: TlsOptions;
}

export interface LoadResult {
  op: BenchOp;
  connections: number;
  inflight: number;
  ops: number;
  errors: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
}

const opCode = { get: 4, exists: 3, set: 5, create: 1 } as const;
const sessionTimeoutMs = 30_000;

function frameOf(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(4 + b.length);
  out.writeInt32BE(b.length, 0);
  b.copy(out, 4);
  return out;
}

function int(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n, 0);
  return b;
}

const openAcl = Buffer.concat([int(1), int(31), str('world'), str('anyone')]);

/** The request body (after the header) for one op on `path`. */
export function requestBody(op: BenchOp, path: string, value: Buffer): Buffer {
  switch (op) {
    case 'get':
    case 'exists':
      return Buffer.concat([str(path), Buffer.from([0])]);
    case 'set':
      return Buffer.concat([str(path), int(value.length), value, int(-1)]);
    case 'create':
      return Buffer.concat([str(path), int(value.length), value, openAcl, int(2)]); // PERSISTENT_SEQUENTIAL
  }
}

function handshake(): Buffer {
  const body = Buffer.alloc(45);
  body.writeInt32BE(sessionTimeoutMs, 12);
  body.writeInt32BE(16, 24);
  return frameOf(body);
}

/** One connection's driver: keeps `inflight` requests outstanding, timing each reply. */
class Lane {
  private socket!: Socket;
  private pending: bigint[] = [];
  private head = 0;
  private buf: Buffer = Buffer.alloc(0);
  private xid = 1;
  private ready = false;
  recording = false;
  stopped = false;
  latenciesNs: number[] = [];
  errors = 0;
  completed = 0;
  private readonly template: Buffer;

  constructor(
    private readonly opts: LoadOptions,
    private readonly path: string,
    value: Buffer,
    private readonly endpoint: { host: string; port: number },
  ) {
    const body = requestBody(opts.op, path, value);
    this.template = frameOf(Buffer.concat([int(0), int(opCode[opts.op]), body]));
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const tls = this.opts.tls;
      this.socket = tls ? tlsConnect({ ...this.endpoint, ...tls }, () => this.socket.write(handshake())) : connect(this.endpoint, () => this.socket.write(handshake()));
      this.socket.setNoDelay(true);
      this.socket.on('error', reject);
      this.socket.on('data', (chunk: Buffer) => {
        this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
        let off = 0;
        while (this.buf.length - off >= 4) {
          const len = this.buf.readInt32BE(off);
          if (this.buf.length - off - 4 < len) break;
          if (!this.ready) {
            this.ready = true;
            resolve();
          } else {
            this.onReply(this.buf, off + 4);
          }
          off += 4 + len;
        }
        this.buf = off === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(off);
        this.fill();
      });
    });
  }

  private onReply(buf: Buffer, at: number): void {
    const xid = buf.readInt32BE(at);
    if (xid < 0) return; // notification or ping
    const err = buf.readInt32BE(at + 12);
    const sentAt = this.pending[this.head++];
    if (this.head > 4096) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    if (this.recording) {
      this.latenciesNs.push(Number(process.hrtime.bigint() - sentAt));
      this.completed++;
      if (err !== 0) this.errors++;
    }
  }

  private outstanding(): number {
    return this.pending.length - this.head;
  }

  fill(): void {
    if (!this.ready || this.stopped) return;
    const missing = this.opts.inflight - this.outstanding();
    if (missing <= 0) return;
    const out = Buffer.allocUnsafe(this.template.length * missing);
    for (let i = 0; i < missing; i++) {
      this.template.copy(out, i * this.template.length);
      out.writeInt32BE(this.xid++, i * this.template.length + 4);
    }
    const now = process.hrtime.bigint();
    for (let i = 0; i < missing; i++) this.pending.push(now);
    this.socket.write(out);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const until = Date.now() + 5000;
    while (this.outstanding() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    this.socket.destroy();
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
}

export async function runLoad(opts: LoadOptions, pathOf: (lane: number) => string): Promise<LoadResult> {
  const value = Buffer.alloc(opts.valueBytes, 0x61);
  const endpoints = opts.endpoints ?? [{ host: opts.host, port: opts.port }];
  const lanes = Array.from({ length: opts.connections }, (_, i) => new Lane(opts, pathOf(i), value, endpoints[i % endpoints.length]));
  await Promise.all(lanes.map((l) => l.start()));
  for (const l of lanes) l.fill();
  await new Promise((r) => setTimeout(r, opts.warmupMs));
  for (const l of lanes) l.recording = true;
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, opts.durationMs));
  for (const l of lanes) l.recording = false;
  const elapsedS = Number(process.hrtime.bigint() - t0) / 1e9;
  await Promise.all(lanes.map((l) => l.stop()));
  const all = new Float64Array(lanes.reduce((n, l) => n + l.latenciesNs.length, 0));
  let i = 0;
  for (const l of lanes) for (const v of l.latenciesNs) all[i++] = v;
  all.sort();
  const ops = lanes.reduce((n, l) => n + l.completed, 0);
  return {
    op: opts.op,
    connections: opts.connections,
    inflight: opts.inflight,
    ops,
    errors: lanes.reduce((n, l) => n + l.errors, 0),
    opsPerSec: ops / elapsedS,
    p50Ms: percentile(all, 0.5),
    p99Ms: percentile(all, 0.99),
    p999Ms: percentile(all, 0.999),
  };
}
