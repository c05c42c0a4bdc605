/**
 * The console's writes, when they are allowed at all (admin.consoleWriteEnabled plus the digest super
 * user's credentials): they go through the node's own client port like any client's, so they follow
 * the one pipeline of the node's role (sequenced, logged or replicated, then applied) and its ACL
 * checks. Expiring a session closes it the way its own client would: a ConnectRequest with its id and
 * password, then closeSession. The password never leaves the node.
 */
import * as net from 'node:net';
import { createClient } from '@coord/client';
import { encodeConnectRequest, encodeRequest, FrameParser, OpCode } from '@coord/protocol';

export interface WriteRequest {
  op: 'create' | 'set' | 'delete';
  path: string;
  /** Text data for create and set. */
  data?: string;
  /** create: 'persistent' (default) or 'ephemeral' is pointless here; only persistent and sequential. */
  sequential?: boolean;
}

/** One console write may take this long end to end (ms). */
export const consoleWriteTimeoutMs = 10_000;

export async function consoleWrite(client: { host: string; port: number }, superUser: string, req: WriteRequest): Promise<unknown> {
  if (req.op !== 'create' && req.op !== 'set' && req.op !== 'delete') throw new Error(`op must be create, set or delete, not ${JSON.stringify(req.op)}`);
  const zk = createClient(`${client.host}:${client.port}`, {
    connectTimeoutMs: consoleWriteTimeoutMs,
    requestTimeoutMs: consoleWriteTimeoutMs,
    auth: [{ scheme: 'digest', auth: superUser }],
  });
  try {
    await zk.connect({ timeoutMs: consoleWriteTimeoutMs });
    const data = Buffer.from(req.data ?? '', 'utf8');
    if (req.op === 'create') {
      const { path } = await zk.create(req.path, data, { mode: req.sequential ? 'persistent-sequential' : 'persistent' });
      return { created: path };
    }
    if (req.op === 'set') {
      const stat = await zk.setData(req.path, data);
      return { set: req.path, version: stat.version };
    }
    await zk.delete(req.path);
    return { deleted: req.path };
  } catch (e) {
    // A ZooKeeper outcome (NONODE, NODEEXISTS, NOTEMPTY...) is the answer, not a server failure.
    const err = e as { code?: string; message: string };
    return { error: err.code ?? 'ERROR', message: err.message };
  } finally {
    await zk.close().catch(() => undefined);
  }
}

/** Closes another client's session: reattach with its id and password, then closeSession. */
export function closeSessionOf(client: { host: string; port: number }, sessionId: bigint, password: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: client.host, port: client.port });
    const parser = new FrameParser();
    let frames = 0;
    const timer = setTimeout(() => finish(new Error('the node did not close the session in time')), consoleWriteTimeoutMs);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.on('connect', () => {
      socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 30_000, sessionId, passwd: password, readOnly: false }));
    });
    socket.on('data', (chunk) => {
      for (const _frame of parser.push(chunk)) {
        frames++;
        if (frames === 1) socket.write(encodeRequest(1, { type: OpCode.closeSession, body: null }));
        else return finish();
      }
    });
    socket.on('close', () => finish(frames >= 1 ? undefined : new Error('the node refused to reattach the session')));
    socket.on('error', (e) => finish(e));
  });
}
