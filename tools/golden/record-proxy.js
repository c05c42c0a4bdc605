#!/usr/bin/env node
// A TCP proxy that records every connection's bytes in both directions, for golden-frame capture.
//
//   node record-proxy.js <targetPort> <outDir>
//
// Listens on a free loopback port and prints "LISTENING <port>". Connection n (from 1) is written to
// <outDir>/conn-<n>.json as { "c2s": hex, "s2c": hex } when both sides have closed.
// A client->server frame that is a getData request (opcode 4) for the path "/golden-drop" is not
// forwarded: the proxy drops the connection instead, so the client reconnects with its session and
// sends SetWatches, which a capture cannot get otherwise.
'use strict';
const net = require('net');
const fs = require('fs');
const path = require('path');

const [targetPort, outDir] = [Number(process.argv[2]), process.argv[3]];
if (!targetPort || !outDir) {
  console.error('usage: record-proxy.js <targetPort> <outDir>');
  process.exit(2);
}
const dropPath = '/golden-drop';
let connCount = 0;
const open = new Set();

function isDropFrame(frame) {
  // frame = length(4) xid(4) type(4) pathLen(4) path ...
  if (frame.length < 16 || frame.readInt32BE(8) !== 4) return false;
  const n = frame.readInt32BE(12);
  return n === dropPath.length && frame.toString('utf8', 16, 16 + n) === dropPath;
}

/** Splits c2s bytes into frames so the drop request can be recognised. */
function frameSplitter(onFrame) {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    const out = [];
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const len = 4 + pending.readInt32BE(0);
      out.push(pending.subarray(0, len));
      pending = pending.subarray(len);
    }
    for (const f of out) if (!onFrame(f)) return;
  };
}

function record(client) {
  const n = ++connCount;
  const c2s = [];
  const s2c = [];
  const server = net.connect(targetPort, '127.0.0.1');
  const conn = { n, c2s, s2c, client, server, written: false };
  open.add(conn);
  const split = frameSplitter((frame) => {
    if (isDropFrame(frame)) {
      client.destroy();
      server.destroy();
      return false;
    }
    c2s.push(frame);
    server.write(frame);
    return true;
  });
  let first = true;
  client.on('data', (chunk) => {
    // The first 4 bytes may be a four-letter word rather than a length: forward those raw.
    if (first && chunk.length >= 4 && /^[a-z]{4}$/.test(chunk.toString('latin1', 0, 4))) {
      c2s.push(chunk);
      server.write(chunk);
      return;
    }
    first = false;
    split(chunk);
  });
  server.on('data', (chunk) => {
    s2c.push(chunk);
    client.write(chunk);
  });
  let closed = 0;
  const onClose = () => {
    if (++closed === 2) finish(conn);
  };
  client.on('close', () => { server.end(); onClose(); });
  server.on('close', () => { client.end(); onClose(); });
  client.on('error', () => server.destroy());
  server.on('error', () => client.destroy());
}

function finish(conn) {
  if (conn.written) return;
  conn.written = true;
  open.delete(conn);
  const out = { c2s: Buffer.concat(conn.c2s).toString('hex'), s2c: Buffer.concat(conn.s2c).toString('hex') };
  fs.writeFileSync(path.join(outDir, `conn-${conn.n}.json`), JSON.stringify(out) + '\n');
}

const listener = net.createServer(record);
listener.listen(0, '127.0.0.1', () => {
  console.log(`LISTENING ${listener.address().port}`);
});
function shutdown() {
  for (const conn of [...open]) finish(conn);
  listener.close();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
