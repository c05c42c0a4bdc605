import { Perms, type ACL } from '@coord/protocol';

/** Permission letters in the order zkCli prints them (ZKUtil.getPermString). */
const permLetters: [string, number][] = [
  ['c', Perms.CREATE],
  ['d', Perms.DELETE],
  ['r', Perms.READ],
  ['w', Perms.WRITE],
  ['a', Perms.ADMIN],
];

export function permString(perms: number): string {
  return permLetters.map(([letter, bit]) => ((perms & bit) !== 0 ? letter : '')).join('');
}

export interface ParsedAcl {
  acl: ACL[];
  /** What zkCli prints on stderr for entries it skips or letters it ignores. */
  warnings: string[];
}

/**
 * `scheme:id:perms[,...]`, split at the first and the last `:` (digest ids contain one). Malformed entries
 * are skipped and unknown permission letters ignored, each with zkCli's warning.
 */
export function parseAcl(text: string): ParsedAcl {
  const acl: ACL[] = [];
  const warnings: string[] = [];
  for (const entry of text.split(',')) {
    const first = entry.indexOf(':');
    const last = entry.lastIndexOf(':');
    if (first === -1 || first === last) {
      warnings.push(`${entry} does not have the form scheme:id:perm`);
      continue;
    }
    let perms = 0;
    for (const letter of entry.slice(last + 1)) {
      const known = permLetters.find(([l]) => l === letter);
      if (known) perms |= known[1];
      else warnings.push(`Unknown perm type: ${letter}`);
    }
    acl.push({ id: { scheme: entry.slice(0, first), id: entry.slice(first + 1, last) }, perms });
  }
  return { acl, warnings };
}

/**
 * getAcl's output for one entry: Id.toString() is jute's CSV form (`'world,'anyone`) followed by a newline,
 * then `: <perms>`.
 */
export function aclLines(entry: ACL): string[] {
  return [`'${entry.id.scheme},'${entry.id.id}`, `: ${permString(entry.perms)}`];
}

export function aclJson(entry: ACL): { scheme: string; id: string; perms: string } {
  return { scheme: entry.id.scheme, id: entry.id.id, perms: permString(entry.perms) };
}

/** world:anyone:cdrwa, the ACL create uses when none is given. */
export const openAclUnsafe: ACL[] = [{ id: { scheme: 'world', id: 'anyone' }, perms: Perms.ALL }];
