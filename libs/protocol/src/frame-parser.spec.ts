import { encodeNotification, encodeReply, encodeRequest, FrameParser, fourLetterWordOf, fourLetterWords, ProtocolError } from './index';
import { sampleRequests } from './fixtures';

function frame(body: Buffer): Buffer {
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

/** A stream of frames of varied sizes: empty, tiny, a few KB, real requests and replies. */
const bodies: Buffer[] = [
  Buffer.alloc(0),
  Buffer.from([7]),
  ...sampleRequests.map((r, i) => encodeRequest(i, r).subarray(4)),
  Buffer.alloc(5000, 0xab),
  encodeNotification(-1, { type: 3, state: 3, path: '/x' }).subarray(4),
  encodeReply({ xid: 1, zxid: 2, err: 0 }, 9, { path: '/p' }).subarray(4),
];
const stream = Buffer.concat(bodies.map(frame));

/** Buffer-aware comparison: jest's toEqual walks buffers element by element, far too slowly here. */
function sameFrames(actual: Buffer[], expected: Buffer[]): boolean {
  return actual.length === expected.length && actual.every((b, i) => b.equals(expected[i]));
}

function feed(parser: FrameParser, chunks: Buffer[]): Buffer[] {
  return chunks.flatMap((c) => parser.push(c));
}

/** A small seeded PRNG so split points are varied but reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

describe('FrameParser', () => {
  it('returns every frame of one big chunk, without copying', () => {
    const out = new FrameParser().push(stream);
    expect(out).toEqual(bodies);
    expect(out.every((b) => b.buffer === stream.buffer)).toBe(true);
  });

  it('handles the stream fed one byte at a time', () => {
    const parser = new FrameParser();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...parser.push(stream.subarray(i, i + 1)));
    expect(sameFrames(out, bodies)).toBe(true);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('handles the stream split in two at every offset', () => {
    for (let i = 0; i <= stream.length; i++) {
      const out = feed(new FrameParser(), [stream.subarray(0, i), stream.subarray(i)]);
      if (!sameFrames(out, bodies)) throw new Error(`split at ${i}: frames differ`);
    }
  });

  it('handles random splits into many chunks (seeded)', () => {
    const rand = lcg(12345);
    for (let round = 0; round < 200; round++) {
      const chunks: Buffer[] = [];
      let at = 0;
      while (at < stream.length) {
        const n = Math.floor(rand() * 40);
        chunks.push(stream.subarray(at, at + n));
        at += n;
      }
      expect(sameFrames(feed(new FrameParser(), chunks), bodies)).toBe(true);
    }
  });

  it('returns frames whose bytes survive later pushes (spanning frames are copied once)', () => {
    const parser = new FrameParser();
    const a = Buffer.from(stream.subarray(0, 10));
    parser.push(a);
    const out = parser.push(Buffer.from(stream.subarray(10)));
    a.fill(0);
    expect(out).toEqual(bodies.slice(2));
  });

  it('with reusesChunks, parses a stream read again and again into one scribbled-over buffer', () => {
    // As net's onread does: every read lands at the start of the same buffer; the rest is stale bytes.
    const rand = lcg(777);
    for (let round = 0; round < 100; round++) {
      const parser = new FrameParser({ reusesChunks: true });
      const reused = Buffer.alloc(64);
      const out: Buffer[] = [];
      let at = 0;
      while (at < stream.length) {
        const n = Math.min(1 + Math.floor(rand() * reused.length), stream.length - at);
        reused.fill(0xee);
        stream.copy(reused, 0, at, at + n);
        // Frames are views valid until the next push: copy them out, as the client's decoders do.
        for (const f of parser.push(reused.subarray(0, n))) out.push(Buffer.from(f));
        at += n;
      }
      expect(sameFrames(out, bodies)).toBe(true);
    }
  });

  it('parses many small frames in one chunk quickly', () => {
    const ping = frame(Buffer.from('fffffffe0000000b', 'hex'));
    const big = Buffer.concat(Array.from({ length: 100_000 }, () => ping));
    const started = process.hrtime.bigint();
    const out = new FrameParser().push(big);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(out.length).toBe(100_000);
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('assembles a 256 KB frame from 1-byte chunks in linear time', () => {
    const body = Buffer.alloc(256 * 1024, 1);
    const whole = frame(body);
    const parser = new FrameParser();
    const out: Buffer[] = [];
    const started = process.hrtime.bigint();
    for (let i = 0; i < whole.length; i += 1) out.push(...parser.push(whole.subarray(i, i + 1)));
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(sameFrames(out, [body])).toBe(true);
    expect(elapsedMs).toBeLessThan(5000);
  });

  it('accepts a frame of exactly frameBytesMax and rejects one byte more', () => {
    const ok = new FrameParser({ frameBytesMax: 16 });
    expect(ok.push(frame(Buffer.alloc(16)))).toEqual([Buffer.alloc(16)]);
    const tooBig = new FrameParser({ frameBytesMax: 16 });
    expect(() => tooBig.push(frame(Buffer.alloc(17)))).toThrow(ProtocolError);
  });

  it('rejects oversized and negative lengths with ProtocolError(frame), even split', () => {
    for (const head of ['00100000', 'ffffffff', '80000000', '7fffffff']) {
      for (let split = 0; split <= 4; split++) {
        const bytes = Buffer.from(head + '00000000', 'hex');
        const parser = new FrameParser();
        let error: unknown;
        try {
          parser.push(bytes.subarray(0, split));
          parser.push(bytes.subarray(split));
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(ProtocolError);
        expect((error as ProtocolError).kind).toBe('frame');
        // The stream is unusable after a framing error: every later push throws too.
        expect(() => parser.push(frame(Buffer.alloc(1)))).toThrow(ProtocolError);
      }
    }
  });

  it('uses jute.maxbuffer (0xfffff) by default', () => {
    expect(new FrameParser().frameBytesMax).toBe(0xfffff);
    expect(new FrameParser().push(Buffer.from('000fffff', 'hex'))).toEqual([]);
    expect(() => new FrameParser().push(Buffer.from('00100000', 'hex'))).toThrow(/frame length/);
  });

  it('throws at once when a bad length follows good frames in the same chunk (the connection closes anyway)', () => {
    const parser = new FrameParser();
    expect(() => parser.push(Buffer.concat([frame(Buffer.from([1])), Buffer.from('ffffffff', 'hex')]))).toThrow(ProtocolError);
  });
});

describe('fourLetterWordOf', () => {
  it.each(fourLetterWords)('recognises %s', (word) => {
    expect(fourLetterWordOf(Buffer.from(word))).toBe(word);
    expect(fourLetterWordOf(Buffer.from(word + '\n'))).toBe(word);
  });

  it('has the 18 words ZooKeeper knows', () => {
    expect([...fourLetterWords].sort()).toEqual(
      ['conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'ruok', 'stmk', 'srst', 'srvr', 'stat', 'wchc', 'wchp', 'wchs', 'mntr', 'isro', 'hash'].sort(),
    );
  });

  it('returns undefined for a ConnectRequest length, unknown words and short input', () => {
    expect(fourLetterWordOf(Buffer.from('0000002d', 'hex'))).toBeUndefined();
    expect(fourLetterWordOf(Buffer.from('abcd'))).toBeUndefined();
    expect(fourLetterWordOf(Buffer.from('RUOK'))).toBeUndefined();
    expect(fourLetterWordOf(Buffer.from('ruo'))).toBeUndefined();
  });
});
