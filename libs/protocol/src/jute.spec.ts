import type { ByteReader } from '@coord/bytes';
import { juteReader, ProtocolError } from './index';

// ByteWriter/ByteReader themselves are tested in @coord/bytes; here, what juteReader adds: jute.maxbuffer
// and ProtocolError('body') for a malformed field.
describe('juteReader', () => {
  it.each([
    ['length below -1', 'fffffffe'],
    ['length above the limit', '00000011'],
  ])('rejects a %s as ProtocolError(body)', (_what, hex) => {
    const r = juteReader(Buffer.from(hex + '00'.repeat(20), 'hex'), 0, 16);
    expect(() => r.readBuffer()).toThrow(ProtocolError);
  });

  it('throws ProtocolError(body) when a field runs past the end', () => {
    const reads: ((r: ByteReader) => unknown)[] = [
      (r) => r.readInt(),
      (r) => r.readLong(),
      (r) => r.readBigLong(),
      (r) => r.readBool(),
      (r) => r.readString(),
      (r) => r.readBuffer(),
    ];
    for (const read of reads) {
      let error: unknown;
      try {
        read(juteReader(Buffer.alloc(0)));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).kind).toBe('body');
    }
    expect(() => juteReader(Buffer.from('0000000561', 'hex')).readString()).toThrow(/truncated/);
  });
});
