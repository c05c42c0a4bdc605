import { Controller, Get, Header, HttpException, HttpStatus, Query } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { CoordinationHealthIndicator } from '@coord/nest';
import { Forwarder, NoServerError, type Forwarded } from './forwarder';
import { ServerList } from './server-list';

/** The endpoints, one per line; also what the start-up line lists. */
export const endpoints: readonly [string, string][] = [
  ['GET /servers', 'the online servers as JSON (name, endpoint, registration node)'],
  ['GET /hello?message=hi', 'forwards a hello to the next online server (round robin over the Nest TCP transport)'],
  ['GET /work?ms=2000', 'a request that takes ms on the server: stop that server meanwhile to watch the retry on another'],
  ['GET /health', 'up while the session with the coordination service is connected (@nestjs/terminus)'],
];

export function indexPage(online: number): string {
  return [
    `DistributeClient: ${online} server(s) online`,
    '',
    ...endpoints.map(([path, what]) => `${path.padEnd(22)} ${what}`),
    '',
  ].join('\n');
}

@Controller()
export class ServersController {
  constructor(
    private readonly list: ServerList,
    private readonly forwarder: Forwarder,
    private readonly health: HealthCheckService,
    private readonly coordination: CoordinationHealthIndicator,
  ) {}

  /** What this client serves, for a person who opens the address in a browser or with curl. */
  @Get()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  index(): string {
    return indexPage(this.list.current.length);
  }

  /** The online servers, in registration order. */
  @Get('servers')
  servers(): { servers: { name: string; endpoint: string | null; path: string | undefined }[] } {
    return {
      servers: this.list.current.map((s) => ({ name: s.name, endpoint: s.port !== undefined ? `${s.host}:${s.port}` : null, path: s.path })),
    };
  }

  /** Forwards a hello to the next live server. */
  @Get('hello')
  hello(@Query('message') message?: string): Promise<Forwarded<unknown>> {
    return this.forward({ cmd: 'hello' }, { message });
  }

  /** Forwards a request that takes `ms` on the server (to watch failover when a server leaves mid-request). */
  @Get('work')
  work(@Query('ms') ms?: string): Promise<Forwarded<unknown>> {
    return this.forward({ cmd: 'work' }, { ms: Number(ms ?? 0) });
  }

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.coordination.isHealthy()]);
  }

  private async forward(pattern: object, payload: unknown): Promise<Forwarded<unknown>> {
    try {
      return await this.forwarder.send(pattern, payload);
    } catch (err) {
      if (err instanceof NoServerError) throw new HttpException({ statusCode: 503, message: err.message }, HttpStatus.SERVICE_UNAVAILABLE);
      throw err;
    }
  }
}
