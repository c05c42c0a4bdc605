/**
 * Service registry and discovery in Curator's layout: `<basePath>/<service name>/<instance id>`, an
 * ephemeral node whose data is the instance as JSON (name, id, address, port, payload,
 * registrationTimeUTC, ...), so Curator's ServiceDiscovery and ours read each other's registrations.
 *
 * ServiceRegistry registers instances and re-registers them after a session loss (deleting a stale
 * node left by the old session first). ServiceCache keeps a live view of one service with change
 * events; ServiceProvider picks an instance from it, round-robin or random.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { isZkError, withRetry, type ClientState } from '@coord/client';
import { pickRandom, pickRoundRobin } from './decisions';
import { ensurePath, recipeRetry, type RecipeClient } from './contend';

export const servicesPathDefault = '/services';

export interface ServiceInstance<P = unknown> {
  name: string;
  id: string;
  address: string;
  port: number | null;
  sslPort: number | null;
  payload: P | null;
  registrationTimeUTC: number;
  serviceType: 'DYNAMIC' | 'STATIC' | 'PERMANENT';
  uriSpec: unknown;
}

export type InstanceSpec<P> = Pick<ServiceInstance<P>, 'name' | 'address'> & Partial<Omit<ServiceInstance<P>, 'name' | 'address'>>;

export function makeInstance<P>(spec: InstanceSpec<P>, now: number): ServiceInstance<P> {
  return {
    name: spec.name,
    id: spec.id ?? randomUUID(),
    address: spec.address,
    port: spec.port ?? null,
    sslPort: spec.sslPort ?? null,
    payload: spec.payload ?? null,
    registrationTimeUTC: spec.registrationTimeUTC ?? now,
    serviceType: spec.serviceType ?? 'DYNAMIC',
    uriSpec: spec.uriSpec ?? null,
  };
}

/** Parses a registration; null for data that is not an instance (so one bad node does not hide the rest). */
export function parseInstance<P>(data: Buffer | null): ServiceInstance<P> | null {
  if (data === null) return null;
  try {
    const v = JSON.parse(data.toString('utf8')) as ServiceInstance<P>;
    return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.id === 'string' ? v : null;
  } catch {
    return null;
  }
}

export class ServiceRegistry {
  private readonly registered = new Map<string, ServiceInstance>();
  private readonly onState = (s: ClientState) => {
    // A new session (after 'lost') has none of our ephemerals: register them again.
    if (s === 'connected' && this.hadSession) void this.reregisterAll();
    if (s === 'connected' || s === 'reconnected') this.hadSession = true;
  };
  private hadSession: boolean;

  constructor(
    private readonly client: RecipeClient,
    readonly basePath: string = servicesPathDefault,
    private readonly opts: { now?: () => number; onError?: (err: unknown) => void } = {},
  ) {
    this.hadSession = client.state === 'connected' || client.state === 'reconnected';
    client.on('state', this.onState);
  }

  pathOf(name: string, id: string): string {
    return `${this.basePath}/${name}/${id}`;
  }

  async register<P>(spec: InstanceSpec<P>): Promise<ServiceInstance<P>> {
    const instance = makeInstance(spec, (this.opts.now ?? Date.now)());
    await this.write(instance);
    this.registered.set(this.pathOf(instance.name, instance.id), instance);
    return instance;
  }

  async unregister(name: string, id: string): Promise<void> {
    const path = this.pathOf(name, id);
    this.registered.delete(path);
    try {
      await withRetry(() => this.client.delete(path), recipeRetry());
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
    }
  }

  /** Unregisters everything this registry registered and stops re-registering. */
  async close(): Promise<void> {
    this.client.off('state', this.onState);
    const all = [...this.registered.values()];
    await Promise.all(all.map((i) => this.unregister(i.name, i.id).catch(() => {})));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async write(instance: ServiceInstance): Promise<void> {
    const path = this.pathOf(instance.name, instance.id);
    const data = JSON.stringify(instance);
    await ensurePath(this.client, `${this.basePath}/${instance.name}`);
    for (;;) {
      try {
        await withRetry(() => this.client.create(path, data, { mode: 'ephemeral' }), recipeRetry());
        return;
      } catch (err) {
        if (!isZkError(err, 'NODEEXISTS')) throw err;
        // Ours from this session (a retried create): done. Left by an older session: replace it.
        const stat = await this.client.exists(path);
        if (stat === null) continue;
        if (stat.ephemeralOwner === this.client.sessionId) return;
        await this.client.delete(path, { version: stat.version }).catch((e) => {
          if (!isZkError(e, 'NONODE') && !isZkError(e, 'BADVERSION')) throw e;
        });
      }
    }
  }

  private async reregisterAll(): Promise<void> {
    for (const instance of this.registered.values()) {
      try {
        await this.write(instance);
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
  }
}

/** One-off queries. */
export class ServiceDiscovery {
  constructor(
    private readonly client: RecipeClient,
    readonly basePath: string = servicesPathDefault,
  ) {}

  async queryForNames(): Promise<string[]> {
    return this.children(this.basePath);
  }

  async queryForInstances<P = unknown>(name: string): Promise<ServiceInstance<P>[]> {
    const ids = await this.children(`${this.basePath}/${name}`);
    const found = await Promise.all(ids.map((id) => this.queryForInstance<P>(name, id)));
    return found.filter((i): i is ServiceInstance<P> => i !== null);
  }

  async queryForInstance<P = unknown>(name: string, id: string): Promise<ServiceInstance<P> | null> {
    try {
      const { data } = await withRetry(() => this.client.getData(`${this.basePath}/${name}/${id}`), recipeRetry());
      return parseInstance<P>(data);
    } catch (err) {
      if (isZkError(err, 'NONODE')) return null;
      throw err;
    }
  }

  serviceCache<P = unknown>(name: string): ServiceCache<P> {
    return new ServiceCache<P>(this.client, `${this.basePath}/${name}`);
  }

  private async children(path: string): Promise<string[]> {
    try {
      return (await withRetry(() => this.client.getChildren(path), recipeRetry())).children.sort();
    } catch (err) {
      if (isZkError(err, 'NONODE')) return [];
      throw err;
    }
  }
}

export interface ServiceCacheEvents<P> {
  change: (instances: ServiceInstance<P>[]) => void;
}

/**
 * A live view of one service's instances: a child watch on the service path (re-armed, and resynced
 * after reconnects and session loss), each instance's JSON read once when it appears.
 */
export class ServiceCache<P = unknown> extends EventEmitter {
  private readonly byId = new Map<string, ServiceInstance<P>>();
  private readonly stop = new AbortController();
  private loop: Promise<void> | null = null;
  private firstLoad: Promise<void> | null = null;

  constructor(
    private readonly client: RecipeClient,
    readonly path: string,
  ) {
    super();
  }

  /** Resolves once the first snapshot is loaded. */
  start(): Promise<void> {
    if (this.firstLoad) return this.firstLoad;
    this.firstLoad = new Promise<void>((resolve, reject) => {
      this.loop = this.run(resolve).catch((err) => {
        if (!this.stop.signal.aborted) reject(err);
      });
    });
    return this.firstLoad;
  }

  instances(): ServiceInstance<P>[] {
    return [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private async run(loaded: () => void): Promise<void> {
    let first = true;
    for await (const { children } of this.client.watchChildren(this.path, { signal: this.stop.signal })) {
      const changed = await this.apply(children);
      // The initial snapshot is what start() resolves with; 'change' reports what happens after it.
      if (first) loaded();
      else if (changed) this.emit('change', this.instances());
      first = false;
    }
  }

  private async apply(children: string[]): Promise<boolean> {
    let changed = false;
    const present = new Set(children);
    for (const id of [...this.byId.keys()]) {
      if (!present.has(id)) {
        this.byId.delete(id);
        changed = true;
      }
    }
    const added = children.filter((id) => !this.byId.has(id));
    const read = await Promise.all(
      added.map(async (id) => {
        try {
          return parseInstance<P>((await this.client.getData(`${this.path}/${id}`)).data);
        } catch (err) {
          if (isZkError(err, 'NONODE')) return null;
          throw err;
        }
      }),
    );
    read.forEach((instance, i) => {
      if (instance !== null) {
        this.byId.set(added[i], instance);
        changed = true;
      }
    });
    return changed;
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export type PickStrategy = 'round-robin' | 'random';

/** Picks an instance from a cache's live view. */
export class ServiceProvider<P = unknown> {
  private counter = 0;

  constructor(
    readonly cache: ServiceCache<P>,
    private readonly strategy: PickStrategy = 'round-robin',
    private readonly random: () => number = Math.random,
  ) {}

  getInstance(): ServiceInstance<P> | null {
    const all = this.cache.instances();
    return this.strategy === 'random' ? pickRandom(all, this.random) : pickRoundRobin(all, this.counter++);
  }

  getAllInstances(): ServiceInstance<P>[] {
    return this.cache.instances();
  }
}
