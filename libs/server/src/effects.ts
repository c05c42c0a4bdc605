/**
 * What the pipeline asks its driver to do with connections, in order: send a frame, or close after the
 * frames queued before it have left. The tree only holds committed state, so an effect may leave as soon
 * as the pipeline produces it.
 */
export type Effect =
  | { kind: 'send'; connId: number; frame: Buffer }
  | { kind: 'close'; connId: number; reason: string };
