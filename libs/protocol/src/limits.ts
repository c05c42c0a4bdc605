/**
 * Named limits of the wire protocol. Units are last in the name.
 */

/** jute.maxbuffer: the largest frame (and string/buffer field) either side accepts, in bytes. */
export const frameBytesMaxDefault = 0xfffff;

/** Every frame starts with a big-endian int32 length that does not count itself. */
export const frameLengthBytes = 4;

/** Stat on the wire: 6 longs and 5 ints. */
export const statBytes = 68;

/** RequestHeader { int xid; int type }. */
export const requestHeaderBytes = 8;

/** ReplyHeader { int xid; long zxid; int err }. */
export const replyHeaderBytes = 16;

/** The password every Java and C client and server uses; the C client cannot read any other length. */
export const sessionPasswdBytes = 16;

