import { isValidPath } from '@coord/protocol';

/**
 * Connect strings: `host:port[,host:port...][/chroot]`, as the Java client accepts them.
 * IPv6 hosts may be written in brackets (`[::1]:2181`). A missing port means 2181.
 */
export interface HostAddress {
  host: string;
  port: number;
}

export interface ConnectString {
  hosts: HostAddress[];
  /** '' when there is none; otherwise an absolute path without a trailing slash. */
  chroot: string;
}

export const defaultClientPort = 2181;

export function parseConnectString(connectString: string): ConnectString {
  const trimmed = connectString.trim();
  const slash = trimmed.indexOf('/');
  const hostPart = slash === -1 ? trimmed : trimmed.slice(0, slash);
  let chroot = slash === -1 ? '' : trimmed.slice(slash);
  if (chroot === '/') chroot = '';
  if (chroot !== '') {
    const problem = isValidPath(chroot);
    if (problem) throw new Error(`invalid chroot in connect string "${connectString}": ${problem}`);
  }
  const hosts = hostPart
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => parseHost(s, connectString));
  if (hosts.length === 0) throw new Error(`connect string "${connectString}" names no host`);
  return { hosts, chroot };
}

function parseHost(spec: string, whole: string): HostAddress {
  let host: string;
  let portText: string | undefined;
  if (spec.startsWith('[')) {
    const close = spec.indexOf(']');
    if (close === -1) throw new Error(`bad IPv6 host "${spec}" in "${whole}"`);
    host = spec.slice(1, close);
    const rest = spec.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new Error(`bad host "${spec}" in "${whole}"`);
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = spec.lastIndexOf(':');
    host = colon === -1 ? spec : spec.slice(0, colon);
    portText = colon === -1 ? undefined : spec.slice(colon + 1);
  }
  const port = portText === undefined ? defaultClientPort : Number(portText);
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad host "${spec}" in "${whole}"`);
  return { host, port };
}

/** Fisher-Yates with an injected random source in [0, 1). Returns a new array. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}

/** Client path -> server path. */
export function prependChroot(chroot: string, path: string): string {
  if (chroot === '') return path;
  return path === '/' ? chroot : chroot + path;
}

/** Server path -> client path; paths outside the chroot are returned unchanged. */
export function stripChroot(chroot: string, serverPath: string): string {
  if (chroot === '') return serverPath;
  if (serverPath === chroot) return '/';
  if (serverPath.startsWith(chroot) && serverPath.charCodeAt(chroot.length) === 0x2f) return serverPath.slice(chroot.length);
  return serverPath;
}
