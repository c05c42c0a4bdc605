/**
 * The server side of SASL DIGEST-MD5 for one connection, as ZooKeeper's ZooKeeperSaslServer runs it:
 * an empty first token gets the challenge; the client's digest-response is checked against the
 * `Server` section's users (JAAS `user_NAME="secret"`), and a good one gets `rspauth=` back and makes
 * the connection hold Id("sasl", NAME). Pure: the nonce comes from the injected randomness.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  digestResponse,
  formatChallenge,
  parseDirectives,
  saslDigestUri,
  SaslError,
  saslNonceBytes,
  saslServerName,
  saslTokenBytesMax,
} from '@coord/protocol';

/** What the node was configured with: zoo.cfg's authProvider line plus the JAAS `Server` section. */
export interface SaslSettings {
  /** user name -> password (DigestLoginModule's user_NAME="password" options). */
  users: ReadonlyMap<string, string>;
  /** zookeeper.superUser: the SASL identity that also holds Id("super", ""). */
  superUser?: string;
  /** zookeeper.allowSaslFailedClients: a failed exchange leaves the connection open (not when SASL is required). */
  allowFailedClients: boolean;
}

export type SaslStep = { token: Buffer | null; authorizationId?: string };

/** One connection's DIGEST-MD5 exchange: start -> challenged -> done (or failed). */
export class DigestMd5Server {
  private state: 'start' | 'challenged' | 'done' = 'start';
  private nonce = '';

  constructor(
    private readonly users: ReadonlyMap<string, string>,
    private readonly randomBytes: (size: number) => Buffer,
  ) {}

  get complete(): boolean {
    return this.state === 'done';
  }

  /** The next step for the client's token; throws SaslError when the exchange fails. */
  evaluate(token: Buffer): SaslStep {
    if (token.length > saslTokenBytesMax) throw new SaslError(`token of ${token.length} bytes (at most ${saslTokenBytesMax})`);
    switch (this.state) {
      case 'start':
        return this.challenge(token);
      case 'challenged':
        return this.verify(token.toString('utf8'));
      case 'done':
        throw new SaslError('the exchange is already complete');
    }
  }

  private challenge(token: Buffer): SaslStep {
    // DIGEST-MD5 has no initial response: the client opens with an empty token.
    if (token.length !== 0) throw new SaslError('DIGEST-MD5 expects an empty initial response');
    this.nonce = this.randomBytes(saslNonceBytes).toString('base64');
    this.state = 'challenged';
    return { token: Buffer.from(formatChallenge(saslServerName, this.nonce), 'utf8') };
  }

  private verify(text: string): SaslStep {
    const d = parseDirectives(text);
    const need = (key: string): string => {
      const v = d.get(key);
      if (v === undefined || v === '') throw new SaslError(`digest-response has no ${key}`);
      return v;
    };
    const username = need('username');
    const realm = d.get('realm') ?? '';
    if (realm !== '' && realm !== saslServerName) throw new SaslError(`unknown realm ${JSON.stringify(realm)}`);
    if (need('nonce') !== this.nonce) throw new SaslError('nonce does not match the challenge (replayed or forged response)');
    const nc = need('nc');
    if (!/^0*1$/i.test(nc)) throw new SaslError(`nonce count ${nc} (expected 00000001)`);
    const qop = d.get('qop') ?? 'auth';
    if (qop !== 'auth') throw new SaslError(`qop ${qop} is not offered (auth only)`);
    const digestUri = need('digest-uri');
    if (digestUri !== saslDigestUri) throw new SaslError(`digest-uri ${JSON.stringify(digestUri)} (expected ${saslDigestUri})`);
    const password = this.users.get(username);
    if (password === undefined) throw new SaslError(`user ${JSON.stringify(username)} is not in the Server section`);
    const params = { username, realm, password, nonce: this.nonce, cnonce: need('cnonce'), nc, qop, digestUri, authzid: d.get('authzid') };
    const expected = Buffer.from(digestResponse(params, false), 'latin1');
    const given = Buffer.from(need('response').toLowerCase(), 'latin1');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new SaslError(`wrong password for user ${JSON.stringify(username)}`);
    this.state = 'done';
    // ZooKeeper authorizes the authentication id (its Kerberos short name: the user name itself here).
    return { token: Buffer.from(`rspauth=${digestResponse(params, true)}`, 'utf8'), authorizationId: username };
  }
}
