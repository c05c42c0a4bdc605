/** What the client prints about servers and about its own link: who, when, why. */
import { portInUseMessage } from './client';
import { indexPage } from './servers.controller';
import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { clockTime, diffServers, formatChange, formatServiceState, ServerList } from './server-list';

const at = new Date(2026, 11, 6, 9, 5, 7, 42);
const s102 = { name: 'hadoop102', host: '127.0.0.1', port: 41234, path: '/servers/server0000000000' };
const s103 = { name: 'hadoop103', host: '127.0.0.1', port: 41235, path: '/servers/server0000000001' };

describe('server changes', () => {
  it('says who came online and who went offline, and why: a goodbye means deregistered', () => {
    expect(diffServers([], [s102, s103], new Set())).toEqual([
      { kind: 'online', server: s102 },
      { kind: 'online', server: s103 },
    ]);
    expect(diffServers([s102, s103], [s103], new Set([s102.path]))).toEqual([{ kind: 'offline', server: s102, reason: 'deregistered' }]);
    expect(diffServers([s103], [], new Set())).toEqual([{ kind: 'offline', server: s103, reason: 'session ended' }]);
    expect(diffServers([s102], [s102], new Set())).toEqual([]);
  });

  it('stamps each line with the time it was seen', () => {
    expect(clockTime(at)).toBe('09:05:07.042');
    expect(formatChange({ kind: 'online', server: s102 }, at)).toBe('09:05:07.042 hadoop102 came online at 127.0.0.1:41234 (/servers/server0000000000)');
    expect(formatChange({ kind: 'offline', server: s102, reason: 'deregistered' }, at)).toBe(
      '09:05:07.042 hadoop102 went offline (/servers/server0000000000), deregistered: it removed its own node on the way out',
    );
    expect(formatChange({ kind: 'offline', server: { name: 'hadoop104', path: '/servers/server0000000007' }, reason: 'session ended' }, at)).toMatch(
      /^09:05:07\.042 hadoop104 went offline \(\/servers\/server0000000007\), session ended: /,
    );
  });

  it('says when the coordination service is lost and when it is back', () => {
    expect(formatServiceState('suspended', at, '127.0.0.1:2181')).toBe(
      '09:05:07.042 coordination service at 127.0.0.1:2181 LOST (connection dropped); the list below may be stale until it is back',
    );
    expect(formatServiceState('reconnected', at, 'x')).toBe('09:05:07.042 coordination service back (same session): the list is live again');
    expect(formatServiceState('lost', at, 'x')).toMatch(/session with the coordination service expired/);
    expect(formatServiceState('connected', at, 'x')).toMatch(/back with a new session/);
    expect(formatServiceState('closed', at, 'x')).toBeUndefined();
  });

  it('the index page lists every endpoint; a busy port names --http-port', () => {
    const page = indexPage(2);
    expect(page.split('\n')[0]).toBe('DistributeClient: 2 server(s) online');
    for (const path of ['GET /servers', 'GET /hello?message=hi', 'GET /work?ms=2000', 'GET /health']) expect(page).toContain(path);
    expect(portInUseMessage('127.0.0.1', 3000)).toBe(
      'HTTP port 3000 on 127.0.0.1 is already in use (another distribute-client?); choose another with --http-port=N, or --http-port=0 for any free port',
    );
  });
});

describe('ServerList wiring', () => {
  it('reports the coordination service lost and back from the client\'s own state events', () => {
    const client = Object.assign(new EventEmitter(), { state: 'connected' });
    const coordination = { client, ready: () => new Promise<void>(() => undefined) };
    const lines: string[] = [];
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation((m: unknown) => void lines.push(`log ${String(m)}`));
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((m: unknown) => void lines.push(`warn ${String(m)}`));
    try {
      const list = new ServerList(coordination as never, { serversPath: '/servers', connectString: '127.0.0.1:2181' });
      list.now = () => at;
      list.onApplicationBootstrap();
      client.emit('state', 'suspended');
      client.emit('state', 'reconnected');
      client.emit('state', 'lost');
      client.emit('state', 'connected');
      expect(lines).toEqual([
        'warn 09:05:07.042 coordination service at 127.0.0.1:2181 LOST (connection dropped); the list below may be stale until it is back',
        'log 09:05:07.042 coordination service back (same session): the list is live again',
        'warn 09:05:07.042 session with the coordination service expired; the list is unknown until a new session starts',
        'log 09:05:07.042 coordination service back with a new session: re-reading the list',
      ]);
      client.removeAllListeners();
      expect(client.listenerCount('state')).toBe(0);
    } finally {
      log.mockRestore();
      warn.mockRestore();
    }
  });
});
