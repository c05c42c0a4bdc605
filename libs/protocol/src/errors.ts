import type { RequestHeader } from './types';

/**
 * What went wrong while decoding, and therefore what the server does about it:
 * - `frame`: the length prefix is negative or larger than frameBytesMax. Close the connection, no reply.
 * - `header`: the RequestHeader (or another fixed prefix) is malformed. Close the connection, no reply.
 * - `body`: the record after a valid header is malformed. Reply MARSHALLINGERROR (-5) to `header.xid`.
 *   During the connect handshake there is no header to reply to: close the connection.
 */
export type ProtocolErrorKind = 'frame' | 'header' | 'body';

export class ProtocolError extends Error {
  readonly kind: ProtocolErrorKind;
  /** The RequestHeader, when it was read before the failure (always set for `body` errors from decodeRequest). */
  readonly header?: RequestHeader;

  constructor(kind: ProtocolErrorKind, message: string, header?: RequestHeader) {
    super(message);
    this.name = 'ProtocolError';
    this.kind = kind;
    if (header !== undefined) this.header = header;
  }
}

/**
 * decodeRequest met an opcode it has no record for (or one a client never sends, such as 0 or -10).
 * ZooKeeper answers `ReplyHeader{xid, zxid, UNIMPLEMENTED (-6)}` and then closes the connection, so this
 * carries the header. Its kind is `header` so that a caller that does not know this subclass still
 * closes the connection; callers that do should check `instanceof UnknownOpcodeError` first and reply -6.
 */
export class UnknownOpcodeError extends ProtocolError {
  declare readonly header: RequestHeader;
  /** The error code ZooKeeper replies with before closing: UNIMPLEMENTED. */
  readonly code = -6;

  constructor(header: RequestHeader) {
    super('header', `unknown opcode ${header.type}`, header);
    this.name = 'UnknownOpcodeError';
  }
}
