export { ByteWriter, varintBytesMax, writerInitialBytes } from './byte-writer';
export { ByteReader, DecodeError, type ByteReaderOptions, type DecodeFailure } from './byte-reader';
