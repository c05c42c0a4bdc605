/**
 * One line for a failed listen, with the address the user asked for and the flag that changes it,
 * instead of a stack trace: `cannot listen on 127.0.0.1:2181: address already in use (another
 * process has it; choose another with --port)`.
 */
export interface ListenTarget {
  host: string;
  port: number;
  /** The flag that sets the port, e.g. `--port` or `--http-port`. */
  portFlag: string;
  /** The flag that sets the address, e.g. `--host`. */
  hostFlag?: string;
  /** What to name when the failing port is another one the program listens on (e.g. an ensemble's peer ports). */
  otherPortFlag?: string;
}

const reasons: Record<string, (t: ListenTarget) => string> = {
  EADDRINUSE: (t) => `address already in use (another process has it; choose another with ${t.portFlag})`,
  EACCES: (t) => `permission denied (ports below 1024 need privileges; choose another with ${t.portFlag})`,
  EADDRNOTAVAIL: (t) => `no such local address${t.hostFlag ? ` (choose another with ${t.hostFlag})` : ''}`,
  ENOTFOUND: (t) => `unknown host name${t.hostFlag ? ` (choose another with ${t.hostFlag})` : ''}`,
};

/** The line for `err` when it is a listen failure we can explain, else undefined. */
export function listenErrorLine(err: unknown, target: ListenTarget): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = code ? reasons[code] : undefined;
  if (!reason) return undefined;
  // Node's listen errors carry the address and port that failed; an ensemble member listens on several.
  const failed = err as { address?: string; port?: number };
  const port = typeof failed.port === 'number' ? failed.port : target.port;
  const host = typeof failed.address === 'string' ? failed.address : target.host;
  // With port 0 asked for (any free port), a failure naming a real port is one of the other listeners.
  const other = port !== target.port && target.otherPortFlag !== undefined;
  return `cannot listen on ${host}:${port}: ${reason(other ? { ...target, portFlag: target.otherPortFlag! } : target)}`;
}
