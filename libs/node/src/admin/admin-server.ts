/**
 * The operator surface of one node, the same for every role: the AdminServer (`admin.*` keys:
 * `/commands` and `/commands/<name>` with ZooKeeper's JSON, the web console at `/` with its JSON and
 * Server-Sent-Events endpoints under `/api/`), and the Prometheus endpoint (`metricsProvider.*`:
 * `/metrics`). Both bind to loopback unless configured. Every request is bounded (URL, headers, body,
 * time, connections); a bad one gets a JSON error and the server keeps serving. The console is
 * read-only unless `admin.consoleWriteEnabled=true`, and even then a write needs the digest super
 * user's credentials (HTTP Basic, checked against DigestAuthenticationProvider.superDigest).
 */
import * as http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { digestId } from '@coord/data-tree';
import type { RequestPipeline } from '@coord/server';
import type { Registry } from 'prom-client';
import type { ServerStats } from '@coord/server';
import { collectEnvInfo, type Logger, type NodeConfig } from '../ops';
import { ClusterProbe, type MemberView } from './cluster';
import { primaryCommandNames, runCommand, toJson, type CommandContext, type RoleView } from './commands';
import { checkPath, ConsoleInputError, describeNode, describeQueues, describeRegistry, describeSessions, type QueueView } from './console-api';
import { consolePage } from './console-page';
import { closeSessionOf, consoleWrite, type WriteRequest } from './console-write';
import { EventHub, eventMessage } from './events';
import type { NodeMetrics } from './node-metrics';
import { closeServer, HttpError, isLoopback, listen, readBody, sendJson, sendText, urlHost } from './http';
import { createMetricsRegistry } from './prometheus';

/** Longest request target accepted (bytes). */
export const urlBytesMax = 2048;
/** Header block size accepted by the HTTP parser, bytes. */
export const headerBytesMax = 8192;
/** Open HTTP connections per server (10 browsers with an event stream each fit many times over). */
export const httpConnectionsMax = 256;
/** A request must arrive whole within this time (ms). */
export const requestTimeoutMs = 10_000;
/** Browsers subscribed to the event stream at most. */
export const eventStreamsMax = 64;
/** An event stream whose browser stops reading is dropped past this much unsent output (bytes). */
const streamBacklogBytesMax = 1 << 20;
/** Keep-alive comment on idle event streams (ms). */
const streamHeartbeatMs = 15_000;

/** What the node gives its operator surface; the role driver implements it once for both roles. */
export interface AdminSource {
  readonly config: NodeConfig;
  core(): RequestPipeline;
  /** The same ServerStats the four-letter words print (askingConnId -1). */
  stats(): ServerStats;
  role(): RoleView;
  readonly metrics: NodeMetrics;
  /** The client port actually bound. */
  clientAddress(): { host: string; port: number };
  lastSnapshot(): { zxid: number; timestamp: number } | undefined;
  /** The zoo.cfg text with secrets masked ('' when started without one). */
  initialConfiguration(): string;
}

export class AdminSurface {
  readonly events = new EventHub();
  adminUrl: string | null = null;
  metricsUrl: string | null = null;
  private adminServer: http.Server | null = null;
  private metricsServer: http.Server | null = null;
  private registry: Registry | null = null;
  private readonly cluster: ClusterProbe;
  private readonly streams = new Set<http.ServerResponse>();
  private queues: { zxid: number; at: number; view: QueueView[] } | null = null;

  constructor(
    private readonly source: AdminSource,
    private readonly log: Logger,
  ) {
    this.cluster = new ClusterProbe(source.config, () => this.selfView(), () => source.role().leaderId);
  }

  /** True when the config asks for any of the HTTP endpoints. */
  static wanted(config: NodeConfig): boolean {
    return config.admin.enabled || config.metrics.enabled;
  }

  async start(): Promise<void> {
    const { admin, metrics } = this.source.config;
    this.registry = createMetricsRegistry(
      { stats: () => this.source.stats(), metrics: this.source.metrics, quorumSize: () => quorumSizeOf(this.source.config) },
      { processMetrics: metrics.exportProcessInfo },
    );
    if (admin.enabled) {
      this.adminServer = this.createServer((req, res, url) => this.onAdminRequest(req, res, url));
      const port = await listen(this.adminServer, admin.address, admin.port, 'AdminServer', 'admin.serverAddress / admin.serverPort');
      this.adminUrl = `http://${urlHost(admin.address)}:${port}`;
      this.log.info(`AdminServer on ${this.adminUrl} (commands at ${admin.commandUrl}, console at /)`);
    }
    if (metrics.enabled) {
      this.metricsServer = this.createServer((req, res, url) => this.onMetricsRequest(res, url));
      const port = await listen(this.metricsServer, metrics.host, metrics.port, 'the Prometheus endpoint', 'metricsProvider.httpHost / httpPort');
      this.metricsUrl = `http://${urlHost(metrics.host)}:${port}/metrics`;
      this.log.info(`Prometheus metrics on ${this.metricsUrl}`);
    }
  }

  async close(): Promise<void> {
    this.events.close();
    for (const s of this.streams) s.destroy();
    this.streams.clear();
    await Promise.all([this.adminServer, this.metricsServer].map((s) => (s ? closeServer(s) : undefined)));
  }

  private createServer(handle: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<void> | void): http.Server {
    const server = http.createServer({ maxHeaderSize: headerBytesMax, requestTimeout: requestTimeoutMs, headersTimeout: requestTimeoutMs }, (req, res) => {
      void this.dispatch(req, res, handle);
    });
    server.maxConnections = httpConnectionsMax;
    server.on('clientError', (err, socket) => {
      // Malformed requests, oversized headers: one JSON line, then close. The server goes on.
      if (!socket.writable) return socket.destroy();
      const code = (err as NodeJS.ErrnoException).code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const body = JSON.stringify({ error: code === 431 ? 'request headers too large' : 'malformed HTTP request' });
      socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
    server.on('error', (err) => this.log.error('admin HTTP server error', err));
    return server;
  }

  private async dispatch(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    handle: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<void> | void,
  ): Promise<void> {
    try {
      const target = req.url ?? '/';
      if (Buffer.byteLength(target) > urlBytesMax) throw new HttpError(414, `request target longer than ${urlBytesMax} bytes`);
      let url: URL;
      try {
        url = new URL(target, 'http://admin.invalid');
        decodeURIComponent(url.pathname);
      } catch {
        throw new HttpError(400, 'malformed request target');
      }
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') throw new HttpError(405, `method ${req.method} not allowed`);
      if (!this.hostAllowed(req.headers.host)) throw new HttpError(421, 'this server answers only to its loopback address (Host header)');
      await handle(req, res, url);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : e instanceof ConsoleInputError ? 400 : 500;
      if (status === 500) this.log.warn(`admin request ${req.method} ${String(req.url).slice(0, 200)} failed: ${(e as Error).message}`);
      if (!res.headersSent) sendJson(res, status, { error: status === 500 ? 'internal error' : (e as Error).message });
      else res.destroy();
      // A request body we did not read must not keep the connection busy.
      req.resume();
    }
  }

  /**
   * A loopback server answers only requests addressed to a loopback name, so a web page elsewhere cannot
   * read it through DNS rebinding. Bound beyond loopback (configured), any Host is accepted.
   */
  private hostAllowed(host: string | undefined): boolean {
    const bound = [this.source.config.admin.address, this.source.config.metrics.host];
    if (!bound.every(isLoopback)) return true;
    if (host === undefined) return true; // HTTP/1.0 clients (curl -0, probes) send none; browsers always do
    const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
    return isLoopback(name) || name === 'localhost';
  }

  private async onMetricsRequest(res: http.ServerResponse, url: URL): Promise<void> {
    if (url.pathname !== '/metrics') throw new HttpError(404, `no such endpoint ${url.pathname}; try /metrics`);
    res.writeHead(200, { 'Content-Type': this.registry!.contentType });
    res.end(await this.registry!.metrics());
  }

  private async onAdminRequest(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const commandUrl = this.source.config.admin.commandUrl;
    if (path === commandUrl || path === `${commandUrl}/`) return this.listCommands(res);
    if (path.startsWith(`${commandUrl}/`)) return this.command(res, decodeURIComponent(path.slice(commandUrl.length + 1)));
    if (path === '/metrics') return this.onMetricsRequest(res, url);
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        // Nothing from elsewhere, and no framing (the write controls must not be clickjacked).
        'Content-Security-Policy': "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        'X-Frame-Options': 'DENY',
      });
      res.end(consolePage);
      return;
    }
    if (path.startsWith('/api/')) return this.api(req, res, path.slice('/api/'.length), url.searchParams);
    throw new HttpError(404, `no such endpoint ${path.slice(0, 200)}; the console is at /, the commands at ${commandUrl}`);
  }

  private listCommands(res: http.ServerResponse): void {
    const url = this.source.config.admin.commandUrl;
    const links = primaryCommandNames.map((c) => `<a href="${url}/${c}">${c}</a><br/>`).join('\n');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<html><body>\n<h1>Commands</h1>\n${links}\n</body></html>\n`);
  }

  private command(res: http.ServerResponse, name: string): void {
    const body = runCommand(name, () => this.commandContext(), (action) => {
      const core = this.source.core();
      if (action === 'resetServerStats') core.resetStats();
      else core.resetConnectionStats();
    });
    if (body === null) {
      sendJson(res, 404, { command: name.slice(0, 100), error: `Unknown command: ${name.slice(0, 100)}`, commands: primaryCommandNames });
      return;
    }
    sendText(res, 200, 'application/json', toJson(body));
  }

  private commandContext(): CommandContext {
    return {
      stats: this.source.stats(),
      config: this.source.config,
      env: collectEnvInfo(),
      role: this.source.role(),
      initialConfiguration: this.source.initialConfiguration(),
      lastSnapshot: this.source.lastSnapshot(),
    };
  }

  // ---- console API ----

  private async api(req: http.IncomingMessage, res: http.ServerResponse, name: string, q: URLSearchParams): Promise<void> {
    if (req.method === 'POST') return this.write(req, res, name);
    const core = this.source.core();
    switch (name) {
      case 'overview': {
        const cluster = await this.cluster.view(Date.now());
        return sendJson(res, 200, { serverId: this.source.config.serverId, role: this.source.role(), cluster, writeEnabled: this.source.config.admin.consoleWriteEnabled });
      }
      case 'node': {
        const path = checkPath(q.get('path') ?? '/');
        const offset = Number(q.get('offset') ?? 0);
        if (!Number.isSafeInteger(offset) || offset < 0) throw new ConsoleInputError('offset must be a non-negative integer');
        const node = describeNode(core.tree, path, offset);
        if (!node) throw new HttpError(404, `no znode ${path}`);
        return sendJson(res, 200, node);
      }
      case 'sessions': {
        const timeouts = new Map([...core.sessions.all()].map((s) => [s.sessionId, s.timeoutMs]));
        return sendJson(res, 200, { sessions: describeSessions(this.source.stats(), timeouts) });
      }
      case 'locks': {
        const zxid = core.lastProcessedZxid;
        const now = Date.now();
        // One tree scan per change (and per second for the wait times), however many browsers ask.
        if (!this.queues || this.queues.zxid !== zxid || now - this.queues.at > 1000) this.queues = { zxid, at: now, view: describeQueues(core.tree, now) };
        return sendJson(res, 200, { queues: this.queues.view });
      }
      case 'registry':
        return sendJson(res, 200, describeRegistry(core.tree, checkPath(q.get('path') ?? '/servers')));
      case 'events':
        return this.eventStream(req, res);
      default:
        throw new HttpError(404, `no such console endpoint /api/${name.slice(0, 100)}`);
    }
  }

  private eventStream(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.streams.size >= eventStreamsMax) throw new HttpError(503, `too many event streams open (${eventStreamsMax})`);
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    const write = (message: string) => {
      if (res.writableLength > streamBacklogBytesMax) {
        res.destroy();
        return;
      }
      res.write(message);
    };
    write(eventMessage(this.events.recentEvents(), 0));
    const unsubscribe = this.events.subscribe({ send: write });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), streamHeartbeatMs);
    this.streams.add(res);
    const done = () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.streams.delete(res);
    };
    req.on('close', done);
    res.on('close', done);
  }

  private async write(req: http.IncomingMessage, res: http.ServerResponse, name: string): Promise<void> {
    if (name !== 'write' && name !== 'expire') throw new HttpError(404, `no such console action /api/${name.slice(0, 100)}`);
    const config = this.source.config;
    if (!config.admin.consoleWriteEnabled) {
      throw new HttpError(403, 'the console is read-only: set admin.consoleWriteEnabled=true and DigestAuthenticationProvider.superDigest to allow writes');
    }
    const credentials = superUserOf(req.headers.authorization, config.superDigest);
    const body = await readBody(req);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new ConsoleInputError('the request body must be JSON');
    }
    const client = this.source.clientAddress();
    if (name === 'expire') {
      const text = (parsed as { sessionId?: unknown }).sessionId;
      if (typeof text !== 'string' || !/^0x[0-9a-f]{1,16}$/i.test(text)) throw new ConsoleInputError('sessionId must be a hex session id such as 0x1000001a2b0000');
      const sessionId = BigInt.asIntN(64, BigInt(text));
      const password = this.source.core().sessions.passwordFor(sessionId);
      if (!this.source.core().sessions.get(sessionId) || !password) throw new HttpError(404, `no session ${text}`);
      await closeSessionOf(client, sessionId, password);
      this.log.info(`console: session ${text} closed by the super user`);
      return sendJson(res, 200, { expired: text });
    }
    const request = parsed as WriteRequest;
    checkPath(request.path);
    const result = await consoleWrite(client, credentials, request);
    this.log.info(`console: ${request.op} ${request.path} by the super user`);
    sendJson(res, 200, result);
  }

  private selfView(): MemberView {
    const s = this.source.stats();
    const role = this.source.role();
    const addr = this.source.clientAddress();
    const l = s.latency;
    return {
      id: this.source.config.serverId,
      self: true,
      clientAddress: `${addr.host}:${addr.port}`,
      mode: !s.serving ? 'not serving' : role.mode,
      zxid: `0x${BigInt(s.zxid).toString(16)}`,
      connections: s.connections.length,
      latency: { min: l.minMs, avg: l.count === 0 ? 0 : Math.round((l.totalMs / l.count) * 100) / 100, max: l.maxMs },
      outstanding: s.outstanding,
      nodeCount: s.nodeCount,
    };
  }
}

function quorumSizeOf(config: NodeConfig): number {
  const voters = config.members.filter((m) => m.role === 'participant').length;
  return voters === 0 ? 1 : Math.floor(voters / 2) + 1;
}

/** `user:password` from HTTP Basic credentials that match the super digest; throws 401 otherwise. */
function superUserOf(header: string | undefined, superDigest: string | undefined): string {
  if (!superDigest) throw new HttpError(403, 'no digest super user is configured (DigestAuthenticationProvider.superDigest)');
  const m = /^Basic ([A-Za-z0-9+/=]{1,1024})$/.exec(header ?? '');
  const userPassword = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
  const given = Buffer.from(userPassword.includes(':') ? digestId(userPassword) : '');
  const wanted = Buffer.from(superDigest);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw new HttpError(401, 'digest credentials of the super user are required');
  return userPassword;
}

