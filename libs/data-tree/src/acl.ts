/**
 * ACL checks (ZooKeeper §7): world, auth, digest, ip (with /bits masks, IPv4 and IPv6) and super.
 * Pure functions over the node's ACL list and the ids a connection holds.
 */
import { createHash } from 'node:crypto';
import { ACL, ErrorCode, Id, Perms } from '@coord/protocol';

export const OPEN_ACL_UNSAFE: ACL[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];
export const READ_ACL_UNSAFE: ACL[] = [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }];

/** `user:base64(sha1("user:password"))`, the id that `addauth digest user:password` grants. */
export function digestId(userPassword: string): string {
  const colon = userPassword.indexOf(':');
  const user = colon < 0 ? userPassword : userPassword.substring(0, colon);
  const hash = createHash('sha1').update(userPassword, 'utf8').digest('base64');
  return `${user}:${hash}`;
}

/** True when `ids` grant `perm` on a node whose ACL is `acl`. */
export function checkAcl(acl: readonly ACL[], perm: number, ids: readonly Id[]): boolean {
  if (acl.length === 0) return true;
  for (const id of ids) if (id.scheme === 'super') return true;
  for (const entry of acl) {
    if ((entry.perms & perm) === 0) continue;
    const { scheme, id } = entry.id;
    if (scheme === 'world' && id === 'anyone') return true;
    for (const held of ids) {
      if (held.scheme !== scheme) continue;
      if (scheme === 'ip' ? ipMatches(id, held.id) : held.id === id) return true;
    }
  }
  return false;
}

/** Hides digest hashes (`user:hash` -> `user:x`) for callers without ADMIN, as getACL does. */
export function maskDigests(acl: readonly ACL[]): ACL[] {
  return acl.map((a) =>
    a.id.scheme === 'digest' ? { perms: a.perms, id: { scheme: 'digest', id: a.id.id.split(':')[0] + ':x' } } : a,
  );
}

/**
 * PrepRequestProcessor.fixupACL: validates a requested ACL list, expands `auth` into the caller's
 * authenticated ids and drops duplicates. Returns INVALIDACL on any problem. `providers` names the
 * extra registered schemes (`sasl`, `x509`) whose ids ACLs may use.
 */
export function fixupAcl(acl: readonly ACL[] | null, ids: readonly Id[], providers: readonly string[] = []): ACL[] | number {
  if (!acl || acl.length === 0) return ErrorCode.INVALIDACL;
  // What nearly every create carries (OPEN_ACL_UNSAFE): the same answer as below, without its set.
  if (acl.length === 1 && acl[0].id.scheme === 'world') return acl[0].id.id === 'anyone' ? [acl[0]] : ErrorCode.INVALIDACL;
  const out: ACL[] = [];
  const seen = new Set<string>();
  const push = (a: ACL) => {
    const key = `${a.perms}\u0000${a.id.scheme}\u0000${a.id.id}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(a);
    }
  };
  for (const a of acl) {
    const scheme = a.id.scheme;
    if (scheme === 'world') {
      if (a.id.id !== 'anyone') return ErrorCode.INVALIDACL;
      push(a);
    } else if (scheme === 'auth') {
      let granted = false;
      for (const held of ids) {
        // Only providers that report isAuthenticated() expand `auth`: digest (and sasl, x509 when
        // registered), not ip or super.
        if (held.scheme === 'digest' || providers.includes(held.scheme)) {
          push({ perms: a.perms, id: { scheme: held.scheme, id: held.id } });
          granted = true;
        }
      }
      if (!granted) return ErrorCode.INVALIDACL;
    } else if (scheme === 'digest') {
      // Java's id.split(":") drops trailing empty parts; exactly two parts are required.
      if (a.id.id.replace(/:+$/, '').split(':').length !== 2) {
        return ErrorCode.INVALIDACL;
      }
      push(a);
    } else if (scheme === 'ip') {
      if (!parseIpMask(a.id.id)) return ErrorCode.INVALIDACL;
      push(a);
    } else if (providers.includes(scheme) && a.id.id !== '') {
      // sasl and x509 (when their providers are registered) accept any non-empty principal.
      push(a);
    } else {
      return ErrorCode.INVALIDACL;
    }
  }
  return out;
}

/** Parses an IPv4 or IPv6 address into bytes (IPv4-mapped IPv6 becomes IPv4). */
export function parseIp(text: string): Uint8Array | null {
  let s = text;
  if (s.startsWith('::ffff:') && s.includes('.')) s = s.substring(7);
  if (s.includes('.') && !s.includes(':')) {
    const parts = s.split('.');
    if (parts.length !== 4) return null;
    const out = new Uint8Array(4);
    for (let i = 0; i < 4; i++) {
      if (!/^\d{1,3}$/.test(parts[i])) return null;
      const v = Number(parts[i]);
      if (v > 255) return null;
      out[i] = v;
    }
    return out;
  }
  return parseIpv6(s);
}

function parseIpv6(s: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:]+$/.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...new Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(all[i])) return null;
    const v = parseInt(all[i], 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  }
  return out;
}

function parseIpMask(aclId: string): { addr: Uint8Array; bits: number } | null {
  const slash = aclId.indexOf('/');
  const addr = parseIp(slash < 0 ? aclId : aclId.substring(0, slash));
  if (!addr) return null;
  const maxBits = addr.length * 8;
  let bits = maxBits;
  if (slash >= 0) {
    const b = aclId.substring(slash + 1);
    if (!/^\d+$/.test(b)) return null;
    bits = Number(b);
    if (bits > maxBits) return null;
  }
  return { addr, bits };
}

/** IPAuthenticationProvider.matches: the caller's address against `addr[/bits]`. */
export function ipMatches(aclId: string, callerAddress: string): boolean {
  const mask = parseIpMask(aclId);
  const caller = parseIp(callerAddress);
  if (!mask || !caller || caller.length !== mask.addr.length) return false;
  for (let bit = 0; bit < mask.bits; bit++) {
    const byte = bit >> 3;
    const m = 0x80 >> (bit & 7);
    if ((caller[byte] & m) !== (mask.addr[byte] & m)) return false;
  }
  return true;
}
