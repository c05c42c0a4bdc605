/**
 * What the pipeline asks its driver to do with connections, in order: send a frame, send one
 * notification to several connections, or close after the frames queued before it have left. The tree
 * only holds committed state, so an effect may leave as soon as the pipeline produces it.
 */
export type Effect =
  | { kind: 'send'; connId: number; frame: Buffer }
  /**
   * The same frame to each of `connIds` (a watch event's connections, each once), exactly as one
   * `send` per connection at this place in the order would: a set firing the watches of 10,000
   * connections is one effect, not 10,000.
   */
  | { kind: 'notify'; connIds: readonly number[]; frame: Buffer }
  | { kind: 'close'; connId: number; reason: string };

/** One connection's part of an effect. */
export type ConnectionEffect = Exclude<Effect, { kind: 'notify' }>;

/** The effects one connection at a time (a notify becomes its sends, in order): for tests and simulators. */
export function perConnection(effects: readonly Effect[]): ConnectionEffect[] {
  const out: ConnectionEffect[] = [];
  for (const e of effects) {
    if (e.kind !== 'notify') out.push(e);
    else for (const connId of e.connIds) out.push({ kind: 'send', connId, frame: e.frame });
  }
  return out;
}
