import type { ClientState, ZkClient } from '@coord/client';
import { isZkError } from '@coord/client';
import { deleteQuietly, ensurePath, sortBySequence } from './paths';

/** What a service writes into its registration node (JSON). */
export interface ServiceInstance {
  name: string;
  host?: string;
  port?: number;
  /** The registration node, e.g. /servers/server0000000003. */
  path?: string;
  [extra: string]: unknown;
}

/**
 * Registers one instance as an ephemeral sequential node under `basePath`. The node lives as long as
 * the session: kill -9 removes it at session expiry. After an expiry it registers again on the new
 * session, so a service that survives a network partition comes back by itself.
 */
export class ServiceRegistration {
  private nodePath: string | null = null;
  private closed = false;
  private readonly onState = (s: ClientState) => {
    if (s === 'lost') this.nodePath = null;
    if (s === 'connected' && this.nodePath === null && !this.closed) void this.register().catch(() => undefined);
  };

  constructor(
    private readonly zk: ZkClient,
    readonly basePath: string,
    readonly instance: ServiceInstance,
    private readonly prefix = 'server',
  ) {}

  get path(): string | null {
    return this.nodePath;
  }

  async register(): Promise<string> {
    this.zk.off('state', this.onState).on('state', this.onState);
    await ensurePath(this.zk, this.basePath);
    const { path } = await this.zk.create(`${this.basePath}/${this.prefix}`, JSON.stringify(this.instance), { mode: 'ephemeral-sequential' });
    this.nodePath = path;
    return path;
  }

  async deregister(): Promise<void> {
    this.closed = true;
    this.zk.off('state', this.onState);
    const path = this.nodePath;
    this.nodePath = null;
    if (path) await deleteQuietly(this.zk, path);
  }
}

/** Reads a registration node's data: our JSON, or a plain host name as the seed's Java servers write. */
export function parseInstance(path: string, data: Buffer | null): ServiceInstance {
  const text = data?.toString('utf8') ?? '';
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as ServiceInstance).name === 'string') return { ...(parsed as ServiceInstance), path };
  } catch {
    // Not JSON: fall through to the plain-name form.
  }
  return { name: text || path.slice(path.lastIndexOf('/') + 1), path };
}

/** Reads every instance under `basePath`, in registration order; nodes that vanish meanwhile are skipped. */
export async function readInstances(zk: ZkClient, basePath: string, children: string[]): Promise<ServiceInstance[]> {
  const out: ServiceInstance[] = [];
  for (const child of sortBySequence(children)) {
    const path = `${basePath}/${child}`;
    try {
      const { data } = await zk.getData(path);
      out.push(parseInstance(path, data));
    } catch (err) {
      if (!(isZkError(err) && err.code === 'NONODE')) throw err;
    }
  }
  return out;
}

/**
 * The online list, re-read on every change of `basePath`'s children (the watch is re-armed each time and
 * survives reconnects). Yields the current list first.
 */
export async function* watchInstances(zk: ZkClient, basePath: string, opts: { signal?: AbortSignal } = {}): AsyncGenerator<ServiceInstance[]> {
  await ensurePath(zk, basePath);
  for await (const snapshot of zk.watchChildren(basePath, opts)) {
    yield await readInstances(zk, basePath, snapshot.children);
  }
}
