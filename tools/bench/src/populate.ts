import { connect } from 'node:net';

/**
 * Creates persistent znodes as fast as the server accepts them: one connection, up to `inflight` creates
 * outstanding. Used to prepare benchmark paths and to fill a server for the memory comparison.
 */
export async function populate(host: string, port: number, paths: string[], valueBytes: number, inflight = 256): Promise<{ errors: number }> {
  const value = Buffer.alloc(valueBytes, 0x62);
  const acl = Buffer.from('000000010000001f00000005776f726c6400000006616e796f6e65', 'hex'); // [world:anyone:cdrwa]
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let ready = false;
    let next = 0;
    let done = 0;
    let errors = 0;
    const send = () => {
      const chunks: Buffer[] = [];
      while (next < paths.length && next - done < inflight) {
        const p = Buffer.from(paths[next], 'utf8');
        const body = Buffer.alloc(8 + 4 + p.length + 4 + value.length + acl.length + 4);
        let o = 0;
        o = body.writeInt32BE(next + 1, o);
        o = body.writeInt32BE(1, o);
        o = body.writeInt32BE(p.length, o);
        o += p.copy(body, o);
        o = body.writeInt32BE(value.length, o);
        o += value.copy(body, o);
        o += acl.copy(body, o);
        body.writeInt32BE(0, o);
        const len = Buffer.alloc(4);
        len.writeInt32BE(body.length);
        chunks.push(len, body);
        next++;
      }
      if (chunks.length) socket.write(Buffer.concat(chunks));
    };
    socket.on('connect', () => {
      const hs = Buffer.alloc(49);
      hs.writeInt32BE(45, 0);
      hs.writeInt32BE(30000, 16);
      hs.writeInt32BE(16, 28);
      socket.write(hs);
    });
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let off = 0;
      while (buf.length - off >= 4) {
        const len = buf.readInt32BE(off);
        if (buf.length - off - 4 < len) break;
        if (!ready) ready = true;
        else if (buf.readInt32BE(off + 4) >= 0) {
          done++;
          const err = buf.readInt32BE(off + 16);
          if (err !== 0 && err !== -110) errors++;
        }
        off += 4 + len;
      }
      buf = buf.subarray(off);
      if (done === paths.length) {
        socket.destroy();
        resolve({ errors });
      } else send();
    });
  });
}
