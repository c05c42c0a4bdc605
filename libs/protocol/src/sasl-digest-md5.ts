/**
 * SASL DIGEST-MD5 (RFC 2831) as ZooKeeper uses it: no integrity or privacy layer (qop=auth), the
 * service `zookeeper`, the server name `zk-sasl-md5` (so the realm and digest-uri are fixed), and the
 * directives' text format both ways. Pure functions: the nonces come from the caller, so the server
 * and client state machines built on them can run with seeded randomness.
 */
import { createHash } from 'node:crypto';

/** ZooKeeper's SASL protocol (service) name and server name for DIGEST-MD5 (ZooKeeperSaslServer). */
export const saslProtocol = 'zookeeper';
export const saslServerName = 'zk-sasl-md5';
export const saslDigestUri = `${saslProtocol}/${saslServerName}`;
/** The largest SASL token either side accepts; a DIGEST-MD5 token is a few hundred bytes (RFC 2831 §2.1.1: 2048). */
export const saslTokenBytesMax = 4096;
/** Nonce length in random bytes before base64 (Java's DigestMD5Base uses 16). */
export const saslNonceBytes = 16;

/** A DIGEST-MD5 exchange that cannot go on; the message says why, in the words a log line needs. */
export class SaslError extends Error {}

/** Parses `key=value,key="quoted, value"` (RFC 2831 §7.1, with `\` escapes inside quotes). */
export function parseDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\n')) i++;
  };
  while (i < n) {
    skipSpace();
    if (text[i] === ',') {
      i++;
      continue;
    }
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new SaslError(`malformed directive near ${JSON.stringify(text.slice(i, i + 20))}`);
    const key = text.slice(i, eq).trim().toLowerCase();
    if (!/^[a-z0-9-]+$/.test(key)) throw new SaslError(`malformed directive name ${JSON.stringify(key)}`);
    i = eq + 1;
    skipSpace();
    let value = '';
    if (text[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const ch = text[i++];
        if (ch === '\\' && i < n) value += text[i++];
        else if (ch === '"') {
          closed = true;
          break;
        } else value += ch;
      }
      if (!closed) throw new SaslError(`unterminated quoted value of ${key}`);
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      value = text.slice(i, end).trim();
      i = end;
    }
    // RFC 2831: a directive that must appear once and appears twice fails the exchange.
    if (out.has(key) && key !== 'realm' && key !== 'qop') throw new SaslError(`directive ${key} appears twice`);
    if (!out.has(key)) out.set(key, value);
    skipSpace();
  }
  return out;
}

function quote(value: string): string {
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/** RFC 2831 §2.1.2.1: with charset=utf-8, text that fits ISO 8859-1 is hashed in ISO 8859-1 (as Java does). */
function textBytes(s: string): Buffer {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) > 0xff) return Buffer.from(s, 'utf8');
  return Buffer.from(s, 'latin1');
}

function md5(...parts: (Buffer | string)[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(typeof p === 'string' ? Buffer.from(p, 'latin1') : p);
  return h.digest();
}

export interface DigestParams {
  username: string;
  realm: string;
  password: string;
  nonce: string;
  cnonce: string;
  nc: string;
  qop: string;
  digestUri: string;
  authzid?: string;
}

/** H(A1) of RFC 2831 §2.1.2.1 for md5-sess. */
function hashA1(p: DigestParams): Buffer {
  const secret = md5(textBytes(p.username), ':', textBytes(p.realm), ':', textBytes(p.password));
  const tail = `:${p.nonce}:${p.cnonce}${p.authzid !== undefined && p.authzid !== '' ? `:${p.authzid}` : ''}`;
  return md5(secret, Buffer.from(tail, 'utf8'));
}

/** The `response` value (client) or the `rspauth` value (server, `forServer`). */
export function digestResponse(p: DigestParams, forServer: boolean): string {
  const a2 = `${forServer ? '' : 'AUTHENTICATE'}:${p.digestUri}`;
  const ha1 = hashA1(p).toString('hex');
  const ha2 = md5(Buffer.from(a2, 'utf8')).toString('hex');
  return md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`).toString('hex');
}

/** The server's first (and only) challenge. */
export function formatChallenge(realm: string, nonce: string): string {
  return `realm=${quote(realm)},nonce=${quote(nonce)},qop="auth",charset=utf-8,algorithm=md5-sess`;
}

/** The client's digest-response to a challenge (RFC 2831 §2.1.2), with the values it hashed. */
export function formatClientResponse(p: DigestParams): string {
  const parts = [
    'charset=utf-8',
    `username=${quote(p.username)}`,
    `realm=${quote(p.realm)}`,
    `nonce=${quote(p.nonce)}`,
    `nc=${p.nc}`,
    `cnonce=${quote(p.cnonce)}`,
    `digest-uri=${quote(p.digestUri)}`,
    'maxbuf=65536',
    `response=${digestResponse(p, false)}`,
    `qop=${p.qop}`,
  ];
  if (p.authzid !== undefined && p.authzid !== '') parts.push(`authzid=${quote(p.authzid)}`);
  return parts.join(',');
}

/**
 * The client's side: answers the server's challenge for `username`/`password` (the JAAS `Client`
 * section's values) with `cnonce` from the caller, and says which `rspauth` proves the server knew the
 * password too.
 */
export function answerChallenge(challenge: string, username: string, password: string, cnonce: string): { response: string; rspauth: string } {
  const d = parseDirectives(challenge);
  const nonce = d.get('nonce');
  if (!nonce) throw new SaslError('challenge has no nonce');
  const qops = (d.get('qop') ?? 'auth').split(',').map((q) => q.trim());
  if (!qops.includes('auth')) throw new SaslError(`server offers qop ${qops.join(',')}, not auth`);
  const algorithm = d.get('algorithm');
  if (algorithm !== undefined && algorithm.toLowerCase() !== 'md5-sess') throw new SaslError(`algorithm ${algorithm} (expected md5-sess)`);
  const params: DigestParams = { username, realm: d.get('realm') ?? '', password, nonce, cnonce, nc: '00000001', qop: 'auth', digestUri: saslDigestUri };
  return { response: formatClientResponse(params), rspauth: digestResponse(params, true) };
}
