import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import type { Member } from '@coord/recipes';
import { ServerList } from './server-list';

/** A forwarded request that no server answers within this time fails (ms). */
export const forwardTimeoutMs = 30_000;
/** Servers tried for one request before giving up (each at most once). */
export const attemptsMax = 5;

export class NoServerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoServerError';
  }
}

export interface Forwarded<T> {
  result: T;
  /** Endpoints tried, in order; the last one answered. */
  attempts: { endpoint: string; name: string; error?: string }[];
}

/**
 * Sends a message to a live server over the TCP transport, round robin over the current list. When the
 * chosen server fails (refused, or closed the connection in the middle of the request because it went
 * offline), the request goes to the next server it has not tried yet.
 */
@Injectable()
export class Forwarder implements OnApplicationShutdown {
  private readonly proxies = new Map<string, ClientProxy>();
  private next = 0;

  constructor(private readonly list: ServerList) {
    list.onChange((servers) => this.dropGone(servers));
  }

  async send<T>(pattern: object, payload: unknown): Promise<Forwarded<T>> {
    const attempts: Forwarded<T>['attempts'] = [];
    const tried = new Set<string>();
    for (;;) {
      const target = this.pick(tried);
      if (!target) {
        const why = attempts.length === 0 ? 'no server is online' : `all servers failed (${attempts.map((a) => `${a.name}: ${a.error}`).join('; ')})`;
        throw new NoServerError(why);
      }
      const endpoint = `${target.host}:${target.port}`;
      tried.add(endpoint);
      try {
        const result = await firstValueFrom(this.proxy(target).send<T>(pattern, payload).pipe(timeout(forwardTimeoutMs)));
        attempts.push({ endpoint, name: target.name });
        return { result, attempts };
      } catch (err) {
        attempts.push({ endpoint, name: target.name, error: (err as Error).message });
        this.forget(endpoint);
        if (attempts.length >= attemptsMax) throw new NoServerError(`gave up after ${attempts.length} attempts`);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const endpoint of [...this.proxies.keys()]) this.forget(endpoint);
  }

  private pick(tried: Set<string>): Member | undefined {
    const candidates = this.list.current.filter((s) => s.host !== undefined && s.port !== undefined && !tried.has(`${s.host}:${s.port}`));
    if (candidates.length === 0) return undefined;
    return candidates[this.next++ % candidates.length];
  }

  private proxy(s: Member): ClientProxy {
    const endpoint = `${s.host}:${s.port}`;
    let proxy = this.proxies.get(endpoint);
    if (!proxy) {
      proxy = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: s.host, port: s.port } });
      this.proxies.set(endpoint, proxy);
    }
    return proxy;
  }

  private forget(endpoint: string): void {
    const proxy = this.proxies.get(endpoint);
    this.proxies.delete(endpoint);
    void proxy?.close();
  }

  private dropGone(servers: Member[]): void {
    const live = new Set(servers.map((s) => `${s.host}:${s.port}`));
    for (const endpoint of [...this.proxies.keys()]) if (!live.has(endpoint)) this.forget(endpoint);
  }
}
