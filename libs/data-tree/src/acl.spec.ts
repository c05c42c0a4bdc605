import { ErrorCode } from '@coord/protocol';
import { checkAcl, digestId, fixupAcl, ipMatches, maskDigests } from './acl';
import { pathError } from './path';

describe('acl', () => {
  it('computes digest ids like ZooKeeper', () => {
    expect(digestId('user1:12345')).toBe('user1:+owfoSBn/am19roBPzR1/MfCblE=');
  });

  it('matches ip masks for IPv4 and IPv6', () => {
    expect(ipMatches('127.0.0.0/8', '127.1.2.3')).toBe(true);
    expect(ipMatches('127.0.0.1', '127.0.0.2')).toBe(false);
    expect(ipMatches('10.0.0.0/8', '::ffff:10.2.3.4')).toBe(true);
    expect(ipMatches('fe80::/16', 'fe80::1')).toBe(true);
    expect(ipMatches('fe80::/16', 'fe81::1')).toBe(false);
    expect(ipMatches('::1', '::1')).toBe(true);
  });

  it('checks perms for world, digest, ip and super', () => {
    const acl = [
      { perms: 1, id: { scheme: 'world', id: 'anyone' } },
      { perms: 31, id: { scheme: 'digest', id: 'u:h' } },
    ];
    expect(checkAcl(acl, 1, [])).toBe(true);
    expect(checkAcl(acl, 2, [])).toBe(false);
    expect(checkAcl(acl, 2, [{ scheme: 'digest', id: 'u:h' }])).toBe(true);
    expect(checkAcl(acl, 16, [{ scheme: 'super', id: '' }])).toBe(true);
    expect(checkAcl([], 16, [])).toBe(true);
    expect(maskDigests(acl)[1].id.id).toBe('u:x');
  });

  it('fixes up ACLs: auth expansion, duplicates, invalid entries', () => {
    const auth = [{ perms: 31, id: { scheme: 'auth', id: '' } }];
    expect(fixupAcl(auth, [{ scheme: 'ip', id: '1.2.3.4' }])).toBe(ErrorCode.INVALIDACL);
    expect(fixupAcl(auth, [{ scheme: 'ip', id: '1.2.3.4' }, { scheme: 'digest', id: 'u:h' }])).toEqual([
      { perms: 31, id: { scheme: 'digest', id: 'u:h' } },
    ]);
    expect(fixupAcl([], [])).toBe(ErrorCode.INVALIDACL);
    expect(fixupAcl([{ perms: 31, id: { scheme: 'world', id: 'foo' } }], [])).toBe(ErrorCode.INVALIDACL);
    expect(fixupAcl([{ perms: 31, id: { scheme: 'digest', id: 'nocolon' } }], [])).toBe(ErrorCode.INVALIDACL);
    expect(fixupAcl([{ perms: 31, id: { scheme: 'ip', id: '300.1.1.1' } }], [])).toBe(ErrorCode.INVALIDACL);
    expect(fixupAcl([{ perms: 31, id: { scheme: 'x', id: 'y' } }], [])).toBe(ErrorCode.INVALIDACL);
    const dup = { perms: 31, id: { scheme: 'world', id: 'anyone' } };
    expect(fixupAcl([dup, dup], [])).toEqual([dup]);
  });

  it('validates paths like PathUtils', () => {
    expect(pathError('/')).toBeNull();
    expect(pathError('/a/b.c/...')).toBeNull();
    expect(pathError('a')).not.toBeNull();
    expect(pathError('/a/')).not.toBeNull();
    expect(pathError('/a//b')).toContain('empty node name specified @3');
    expect(pathError('/a/./b')).not.toBeNull();
    expect(pathError('/a/..')).not.toBeNull();
    expect(pathError('/a\u0000')).not.toBeNull();
    expect(pathError('/\ud83d\ude00')).not.toBeNull();
  });
});
