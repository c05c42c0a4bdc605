import { fourLetterWordOf } from '@coord/protocol';

/** A four-letter word is recognised only in the first four bytes of a connection, as in ZooKeeper. */
export const fourLetterWordBytes = 4;

/** What a client connection has seen before its first four bytes were complete. */
export interface FirstBytesState {
  fresh: boolean;
  head: Buffer | null;
}

/**
 * Feeds a chunk to a connection that may still be fresh: null while fewer than four bytes have come,
 * `{ word }` when they spell a four-letter word, otherwise `{ bytes }` to hand to the frame parser.
 */
export function takeFirstBytes(state: FirstBytesState, chunk: Buffer): { word: string } | { bytes: Buffer } | null {
  if (!state.fresh) return { bytes: chunk };
  const head = state.head ? Buffer.concat([state.head, chunk]) : chunk;
  if (head.length < fourLetterWordBytes) {
    state.head = head;
    return null;
  }
  state.head = null;
  state.fresh = false;
  const word = fourLetterWordOf(head.subarray(0, fourLetterWordBytes));
  return word !== undefined ? { word } : { bytes: head };
}
