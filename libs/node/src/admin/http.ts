/** The small HTTP pieces the AdminServer and the metrics endpoint share: errors, bodies, replies, listening. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { toJson } from './commands';

/** Largest request body accepted (a console write), bytes. */
export const bodyBytesMax = 64 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > bodyBytesMax) return reject(new HttpError(413, `request body larger than ${bodyBytesMax} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > bodyBytesMax) {
        reject(new HttpError(413, `request body larger than ${bodyBytesMax} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  sendText(res, status, 'application/json', toJson(body));
}

export function sendText(res: http.ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}

export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Listens; a failure becomes one sentence naming the address and the keys that change it. */
export function listen(server: http.Server, host: string, port: number, what: string, keys: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'the port is in use' : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' ? 'no such local address' : e.code === 'EACCES' ? 'permission denied' : e.message;
      reject(new Error(`${what} cannot listen on ${urlHost(host)}:${port}: ${why} (${keys})`));
    });
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
