/**
 * Jute's binary archive (BinaryOutputArchive / BinaryInputArchive) is the int-prefixed half of
 * `@coord/bytes`: big-endian ints and longs, length-prefixed buffers and strings (-1 = null) and vectors
 * (-1 = null), booleans as one byte. Records write with ByteWriter's `write*` methods and read through
 * `juteReader`, which caps lengths at jute.maxbuffer and reports malformed records as the client port
 * expects: ProtocolError('body'), answered with MARSHALLINGERROR.
 */
import { ByteReader, type ByteReaderOptions, type DecodeFailure } from '@coord/bytes';
import { ProtocolError } from './errors';
import { frameBytesMaxDefault } from './limits';

const bodyError: DecodeFailure = (message) => new ProtocolError('body', message);

// A reader per frame is on the hot path: its options are made once per limit, not once per frame.
let options: ByteReaderOptions = { lengthMax: frameBytesMaxDefault, fail: bodyError };

/** A reader of jute records from `offset` of `body`; strings, buffers and vectors above `lengthMax` are refused. */
export function juteReader(body: Buffer, offset = 0, lengthMax: number = frameBytesMaxDefault): ByteReader {
  if (options.lengthMax !== lengthMax) options = { lengthMax, fail: bodyError };
  return new ByteReader(body, offset, options);
}
