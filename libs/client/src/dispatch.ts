import type { EventEmitter } from 'node:events';
import { EventType, KeeperState, decodeNotification } from '@coord/protocol';
import { stripChroot } from './connect-string';
import type { EventTypeName, KeeperStateName, Logger, WatchedEvent, Watcher } from './types';
import type { WatchRegistry } from './watch-registry';

const eventTypeNames: Record<number, EventTypeName> = {};
for (const [name, value] of Object.entries(EventType)) eventTypeNames[value] = name as EventTypeName;
const keeperStateNames: Record<number, KeeperStateName> = {};
for (const [name, value] of Object.entries(KeeperState)) keeperStateNames[value] = name as KeeperStateName;

/**
 * Delivers watch events: server notifications (to the 'event' listeners and the watchers the registry
 * wakes) and client-side state events (to the 'event' listeners and every registered watcher, as the Java
 * client does). Listeners and watchers run synchronously, so a notification reaches them before the
 * reply of the write that caused it resolves; a throwing one is logged and does not stop the others.
 */
export class Dispatcher {
  constructor(
    private readonly emitter: EventEmitter,
    private readonly watches: WatchRegistry,
    private readonly chroot: string,
    private readonly logger: Logger,
  ) {}

  notification(body: Buffer): void {
    const { header, event } = decodeNotification(body);
    const type = eventTypeNames[event.type] ?? 'None';
    const path = stripChroot(this.chroot, event.path);
    const watched: WatchedEvent = { type, state: keeperStateNames[event.state] ?? 'SyncConnected', path, zxid: header.zxid };
    this.emit('event', watched);
    const watchers = this.watches.materialize(type, path);
    for (let i = 0; i < watchers.length; i++) this.callWatcher(watchers[i], watched);
  }

  stateEvent(state: KeeperStateName): void {
    const e: WatchedEvent = { type: 'None', state, path: null, zxid: -1 };
    this.emit('event', e);
    for (const w of this.watches.all()) this.callWatcher(w, e);
  }

  callWatcher(w: Watcher, e: WatchedEvent): void {
    try {
      w(e);
    } catch (err) {
      this.logger.error(`watcher threw: ${(err as Error)?.stack ?? String(err)}`);
    }
  }

  emit(name: string, arg: unknown): void {
    // rawListeners: once() wrappers must run (and remove themselves), not the bare functions.
    for (const l of this.emitter.rawListeners(name)) {
      try {
        (l as (a: unknown) => void)(arg);
      } catch (err) {
        this.logger.error(`${name} listener threw: ${(err as Error)?.stack ?? String(err)}`);
      }
    }
  }
}

/**
 * Resolves when `state()` is one of `wanted` (at once if it already is), rejects on abort or after
 * `timeoutMs` with `onTimeout()`.
 */
export function awaitState<S extends string>(
  emitter: EventEmitter,
  state: () => S,
  wanted: readonly S[],
  opts: { signal?: AbortSignal; timeoutMs?: number; onTimeout?: () => unknown; fail?: (s: S) => unknown },
): Promise<S> {
  if (wanted.includes(state())) return Promise.resolve(state());
  return new Promise<S>((resolve, reject) => {
    const done = (err: unknown, s?: S) => {
      emitter.off('state', onState);
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err === undefined) resolve(s!);
      else reject(err);
    };
    const onState = (s: S) => {
      if (wanted.includes(s)) done(undefined, s);
      else if (opts.fail?.(s) !== undefined) done(opts.fail(s));
    };
    const onAbort = () => done(opts.signal!.reason);
    const timer = opts.timeoutMs !== undefined ? setTimeout(() => done(opts.onTimeout?.() ?? new Error(`timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs) : undefined;
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    emitter.on('state', onState);
  });
}
