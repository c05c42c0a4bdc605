import { answerChallenge, parseDirectives, SaslError } from '@coord/protocol';
import { DigestMd5Server } from './sasl';

const users = new Map([['bob', 'bobsecret'], ['ünï', 'pässwörd']]);
const seeded = () => {
  let n = 7;
  return (size: number) => Buffer.alloc(size, n++);
};

function exchange(user: string, password: string, server = new DigestMd5Server(users, seeded())) {
  const challenge = server.evaluate(Buffer.alloc(0)).token!.toString('utf8');
  const { response, rspauth } = answerChallenge(challenge, user, password, 'Y2xpZW50LW5vbmNl');
  return { server, challenge, response, rspauth, step: () => server.evaluate(Buffer.from(response, 'utf8')) };
}

describe('DIGEST-MD5 server', () => {
  it('challenges with realm zk-sasl-md5, a nonce from the injected randomness, qop auth and md5-sess', () => {
    const { challenge } = exchange('bob', 'bobsecret');
    const d = parseDirectives(challenge);
    expect(d.get('realm')).toBe('zk-sasl-md5');
    expect(d.get('nonce')).toBe(Buffer.alloc(16, 7).toString('base64'));
    expect(d.get('qop')).toBe('auth');
    expect(d.get('algorithm')).toBe('md5-sess');
  });

  it('accepts the right password, answers rspauth the client can check, and names the user', () => {
    const x = exchange('bob', 'bobsecret');
    const step = x.step();
    expect(step.authorizationId).toBe('bob');
    expect(step.token!.toString()).toBe(`rspauth=${x.rspauth}`);
    expect(x.server.complete).toBe(true);
  });

  it('hashes names and passwords that fit ISO 8859-1 in ISO 8859-1, as Java does', () => {
    expect(exchange('ünï', 'pässwörd').step().authorizationId).toBe('ünï');
  });

  it('matches a digest-response computed independently (RFC 2831 md5-sess, qop=auth)', () => {
    // The values of RFC 2831 §4's example, with our service and realm: a fixed known-answer vector.
    const server = new DigestMd5Server(new Map([['chris', 'secret']]), () => Buffer.from('OA6MG9tEQGm2hh', 'base64'));
    const challenge = server.evaluate(Buffer.alloc(0)).token!.toString();
    const nonce = parseDirectives(challenge).get('nonce')!;
    const { createHash } = jest.requireActual('node:crypto') as typeof import('node:crypto');
    const h = (b: Buffer | string) => createHash('md5').update(b).digest();
    const a1 = Buffer.concat([h('chris:zk-sasl-md5:secret'), Buffer.from(`:${nonce}:OA6MHXh6VqTrRk`)]);
    const ha2 = h('AUTHENTICATE:zookeeper/zk-sasl-md5').toString('hex');
    const response = h(`${h(a1).toString('hex')}:${nonce}:00000001:OA6MHXh6VqTrRk:auth:${ha2}`).toString('hex');
    const text = `charset=utf-8,username="chris",realm="zk-sasl-md5",nonce="${nonce}",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="zookeeper/zk-sasl-md5",maxbuf=65536,response=${response},qop=auth`;
    expect(server.evaluate(Buffer.from(text)).authorizationId).toBe('chris');
  });

  it.each([
    ['a wrong password', () => exchange('bob', 'nope').step(), /wrong password for user "bob"/],
    ['an unknown user', () => exchange('mallory', 'x').step(), /user "mallory" is not in the Server section/],
    ['a non-empty first token', () => new DigestMd5Server(users, seeded()).evaluate(Buffer.from('x')), /empty initial response/],
    ['a token after completion', () => { const x = exchange('bob', 'bobsecret'); x.step(); return x.step(); }, /already complete/],
    ['a huge token', () => new DigestMd5Server(users, seeded()).evaluate(Buffer.alloc(10000)), /10000 bytes/],
    ['garbage', () => { const s = new DigestMd5Server(users, seeded()); s.evaluate(Buffer.alloc(0)); return s.evaluate(Buffer.from('\u0000\u0001zz')); }, /malformed/],
  ])('refuses %s', (_what, run, message) => {
    expect(run).toThrow(SaslError);
    expect(run).toThrow(message);
  });

  it('refuses a response replayed against another challenge (nonce from another exchange)', () => {
    const first = exchange('bob', 'bobsecret');
    const other = new DigestMd5Server(users, () => Buffer.alloc(16, 99));
    other.evaluate(Buffer.alloc(0));
    expect(() => other.evaluate(Buffer.from(first.response))).toThrow(/nonce does not match/);
  });

  it('refuses another digest-uri (a response made for a different service)', () => {
    const x = exchange('bob', 'bobsecret');
    const forged = x.response.replace('zookeeper/zk-sasl-md5', 'kafka/zk-sasl-md5');
    expect(() => x.server.evaluate(Buffer.from(forged))).toThrow(/digest-uri/);
  });
});

describe('DIGEST-MD5 server under hostile tokens', () => {
  it('throws nothing but SaslError for random bytes and mangled responses (seeded)', () => {
    let seed = 15;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const good = exchange('bob', 'bobsecret').response;
    for (let i = 0; i < 2000; i++) {
      const server = new DigestMd5Server(users, seeded());
      server.evaluate(Buffer.alloc(0));
      let token: Buffer;
      if (i % 2 === 0) {
        token = Buffer.from(Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)));
      } else {
        const chars = good.split('');
        for (let k = 0; k < 1 + Math.floor(rand() * 8); k++) chars[Math.floor(rand() * chars.length)] = String.fromCharCode(Math.floor(rand() * 128));
        token = Buffer.from(chars.join(''));
      }
      try {
        server.evaluate(token);
      } catch (e) {
        expect(e).toBeInstanceOf(SaslError);
      }
    }
  });
});
