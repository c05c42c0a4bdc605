/**
 * What TLS costs on the client port, measured on our node in one run: `get` and `set` at C=8 K=16
 * over the plaintext port and over secureClientPort (ssl.clientAuth=need, a client certificate, PEM
 * stores made by openssl for this run), in interleaved rounds; then the time to a session on a fresh
 * connection (TCP + ConnectRequest, and TCP + TLS handshake + ConnectRequest), one at a time.
 * Flags: --rounds=3 --duration-ms=3000 --handshakes=200
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { tlsStoreOptions } from '@coord/client';
import { encodeConnectRequest } from '@coord/protocol';
import { freePort, makeTestPki, spawnCoordinode, tempDir } from '@coord/testing';
import { runLoad, type BenchOp, type LoadResult } from './load';
import { populate } from './populate';

const connections = 8;
const inflight = 16;
const valueBytes = 100;
const warmupMs = 1000;

function flag(name: string, fallback: string): string {
  const hit = process.argv.slice(2).flatMap((a) => a.split(' ')).find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

/** Milliseconds from connect() to the ConnectResponse on a fresh connection. */
function sessionTime(port: number, tls: ConnectionOptions | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const request = encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
    const socket: Socket = tls ? tlsConnect({ host: '127.0.0.1', port, ...tls }, () => socket.write(request)) : netConnect({ host: '127.0.0.1', port }, () => socket.write(request));
    socket.once('data', () => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      // Close the session so the node does not keep hundreds of them.
      socket.end(Buffer.from([0, 0, 0, 8, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xf5]));
      resolve(ms);
    });
    socket.on('error', reject);
  });
}

async function main(): Promise<void> {
  const rounds = Number(flag('rounds', '3'));
  const durationMs = Number(flag('duration-ms', '3000'));
  const handshakes = Number(flag('handshakes', '200'));
  const dir = await tempDir('coord-tls-bench-');
  const pki = makeTestPki(dir.path);
  const securePort = await freePort();
  const node = await spawnCoordinode({
    config: {
      secureClientPort: String(securePort),
      'ssl.keyStore.location': pki.server.keyStore,
      'ssl.trustStore.location': pki.ca.trustStore,
      'ssl.clientAuth': 'need',
      forceSync: 'no',
    },
  });
  const tls: ConnectionOptions = tlsStoreOptions({ keyStore: { location: pki.client.keyStore, type: 'PEM' }, trustStore: { location: pki.ca.trustStore, type: 'PEM' } }, (p) => readFileSync(p));
  try {
    const paths = Array.from({ length: connections }, (_, i) => `/tls-bench-${i}`);
    await populate(node.host, node.port, paths, valueBytes);
    const results: Record<string, LoadResult[]> = {};
    for (let round = 0; round < rounds; round++) {
      for (const op of ['get', 'set'] as BenchOp[]) {
        for (const transport of ['plain', 'tls'] as const) {
          const r = await runLoad(
            { host: node.host, port: transport === 'tls' ? securePort : node.port, op, connections, inflight, durationMs, warmupMs, valueBytes, ...(transport === 'tls' && { tls }) },
            (lane) => paths[lane],
          );
          (results[`${op}/${transport}`] ??= []).push(r);
        }
      }
    }
    console.log(`Coordinode, one node (forceSync=no), C=${connections} K=${inflight}, ${valueBytes}-byte values, ${rounds} interleaved rounds of ${durationMs} ms (medians)`);
    console.log('op   transport  ops/s      p50 ms  p99 ms  errors  TLS cost (ops/s)');
    for (const op of ['get', 'set']) {
      const plain = median(results[`${op}/plain`].map((r) => r.opsPerSec));
      for (const transport of ['plain', 'tls']) {
        const rs = results[`${op}/${transport}`];
        const ops = median(rs.map((r) => r.opsPerSec));
        const cost = transport === 'tls' ? `${(((plain - ops) / plain) * 100).toFixed(1)}%` : '';
        console.log(
          `${op.padEnd(4)} ${transport.padEnd(10)} ${ops.toFixed(0).padStart(8)}  ${median(rs.map((r) => r.p50Ms)).toFixed(2).padStart(6)}  ${median(rs.map((r) => r.p99Ms)).toFixed(2).padStart(6)}  ${String(rs.reduce((n, r) => n + r.errors, 0)).padStart(6)}  ${cost}`,
        );
      }
    }
    const times: Record<string, number[]> = { plain: [], tls: [] };
    for (let i = 0; i < handshakes; i++) {
      times.plain.push(await sessionTime(node.port, undefined));
      times.tls.push(await sessionTime(securePort, tls));
    }
    console.log(`\nTime to a session on a fresh connection, ${handshakes} each, alternating (ms):`);
    for (const t of ['plain', 'tls']) console.log(`${t.padEnd(6)} p50 ${median(times[t]).toFixed(2)}  p99 ${pct(times[t], 0.99).toFixed(2)}`);
  } finally {
    await node.stop();
    await dir.remove();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
