import { createServer, connect, type Server, type Socket } from 'node:net';
import { FrameParser } from '@coord/protocol';

/**
 * A loopback proxy that reproduces a server bug for the Go client test: it passes every byte through,
 * except that the reply to an `auth` packet (opcode 100) gets xid -4 instead of the request's xid. This
 * is what our server used to do (the Java client sends auth with xid -4, so it never noticed). A client
 * that numbers auth like any other request, as go-zookeeper does, must then fail, which shows that the
 * Go interop test would catch the bug.
 */
const authOpcode = 100;
const javaAuthXid = -4;

function frame(body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length);
  return Buffer.concat([len, body]);
}

export async function startAuthXidProxy(upstreamHost: string, upstreamPort: number): Promise<{ host: string; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: upstreamHost, port: upstreamPort });
    sockets.add(client).add(upstream);
    const authXids = new Set<number>();
    const fromClient = new FrameParser();
    const fromServer = new FrameParser();
    let clientFrames = 0;
    let serverFrames = 0;
    client.on('data', (chunk: Buffer) => {
      // The first frame is the ConnectRequest; after it every frame starts with xid and opcode.
      for (const body of fromClient.push(chunk)) {
        if (clientFrames++ > 0 && body.length >= 8 && body.readInt32BE(4) === authOpcode) authXids.add(body.readInt32BE(0));
        upstream.write(frame(body));
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      for (const body of fromServer.push(chunk)) {
        if (serverFrames++ > 0 && body.length >= 4 && authXids.delete(body.readInt32BE(0))) body.writeInt32BE(javaAuthXid, 0);
        client.write(frame(body));
      }
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('close', end);
      s.on('error', end);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy has no address');
  return {
    host: '127.0.0.1',
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
