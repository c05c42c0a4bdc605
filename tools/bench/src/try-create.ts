import { connect } from 'node:net';

/**
 * One create on a fresh session, bounded in time: resolves true when the server acknowledged it, false on
 * any refusal, close or timeout. Used to find the first moment an ensemble accepts writes again.
 */
export function tryCreate(host: string, port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let buf: Buffer = Buffer.alloc(0);
    let stage: 'handshake' | 'create' = 'handshake';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
    socket.on('connect', () => {
      const hs = Buffer.alloc(49);
      hs.writeInt32BE(45, 0);
      hs.writeInt32BE(10000, 16);
      hs.writeInt32BE(16, 28);
      socket.write(hs);
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const body = buf.subarray(4, 4 + buf.readInt32BE(0));
        buf = buf.subarray(4 + body.length);
        if (stage === 'handshake') {
          if (body.readInt32BE(4) <= 0) return done(false); // timeOut 0: refused
          stage = 'create';
          const p = Buffer.from(path, 'utf8');
          const acl = Buffer.from('000000010000001f00000005776f726c6400000006616e796f6e65', 'hex');
          const req = Buffer.alloc(4 + 8 + 4 + p.length + 4 + acl.length + 4);
          let o = req.writeInt32BE(req.length - 4, 0);
          o = req.writeInt32BE(1, o);
          o = req.writeInt32BE(1, o);
          o = req.writeInt32BE(p.length, o);
          o += p.copy(req, o);
          o = req.writeInt32BE(-1, o); // null data
          o += acl.copy(req, o);
          req.writeInt32BE(0, o);
          socket.write(req);
        } else if (body.readInt32BE(0) === 1) {
          return done(body.readInt32BE(12) === 0);
        }
      }
    });
  });
}
