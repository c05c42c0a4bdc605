/**
 * ZooKeeper's key and trust stores (ssl.keyStore.* / ssl.trustStore.*, zookeeper.ssl.* on the client)
 * as Node TLS options. PEM: one file with the private key and its certificate chain (the key may be
 * encrypted with the store password); a PEM trust store is the CA certificates. PKCS12 key stores are
 * read natively; JKS is not (convert it to PKCS12 or PEM).
 */
import type { SecureContextOptions } from 'node:tls';

export type StoreType = 'PEM' | 'PKCS12';

export interface StoreSettings {
  location: string;
  type: StoreType;
  password?: string;
}

/** A store that cannot be used; the message names the file and what is wrong. */
export class TlsStoreError extends Error {}

/**
 * The store type from its `.type` key, or (absent) from the file name as ZooKeeper infers it:
 * .pem/.crt/.cer/.key are PEM, .p12/.pfx PKCS12. JKS and BCFKS cannot be read here.
 */
export function storeTypeOf(given: string | undefined, location: string): StoreType {
  const t = (given ?? '').trim().toUpperCase();
  if (t === 'PEM' || t === 'PKCS12') return t;
  if (t === 'JKS' || t === 'BCFKS' || (t === '' && /\.jks$/i.test(location))) {
    throw new TlsStoreError(`${location}: ${t || 'JKS'} stores cannot be read here; convert it to PKCS12 (keytool -importkeystore -deststoretype PKCS12) or PEM`);
  }
  if (t !== '') throw new TlsStoreError(`${location}: store type ${given} (expected PEM or PKCS12)`);
  if (/\.(pem|crt|cer|key)$/i.test(location)) return 'PEM';
  if (/\.(p12|pfx)$/i.test(location)) return 'PKCS12';
  throw new TlsStoreError(`${location}: cannot tell the store type from the file name; set its .type key to PEM or PKCS12`);
}

/** Reads the stores into SecureContextOptions; `readFile` is fs.readFileSync in production. */
export function tlsStoreOptions(
  stores: { keyStore?: StoreSettings; trustStore?: StoreSettings },
  readFile: (path: string) => Buffer,
): SecureContextOptions {
  const out: SecureContextOptions = {};
  const read = (what: string, location: string): Buffer => {
    try {
      return readFile(location);
    } catch (e) {
      throw new TlsStoreError(`cannot read the ${what} ${location}: ${(e as Error).message}`);
    }
  };
  const { keyStore, trustStore } = stores;
  if (keyStore) {
    const bytes = read('key store', keyStore.location);
    if (keyStore.type === 'PKCS12') {
      out.pfx = bytes;
    } else {
      const text = bytes.toString('latin1');
      if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(text)) throw new TlsStoreError(`key store ${keyStore.location} has no PEM private key`);
      if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new TlsStoreError(`key store ${keyStore.location} has no PEM certificate`);
      out.key = bytes;
      out.cert = bytes;
    }
    if (keyStore.password !== undefined) out.passphrase = keyStore.password;
  }
  if (trustStore) {
    if (trustStore.type !== 'PEM') throw new TlsStoreError(`trust store ${trustStore.location}: only PEM trust stores can be read (export the CA certificates as PEM)`);
    const bytes = read('trust store', trustStore.location);
    if (!bytes.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) throw new TlsStoreError(`trust store ${trustStore.location} has no PEM certificate`);
    out.ca = bytes;
  }
  return out;
}

/** RFC 2253 text of a certificate subject (most specific RDN first), as Java's X500Principal.getName() prints it. */
export function rfc2253Subject(subjectLines: string): string {
  // Node prints the subject one `KEY=value` per line in certificate order (least specific first).
  const escape = (v: string) => v.replace(/([,+"\\<>;])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
  return subjectLines
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const eq = l.indexOf('=');
      return `${l.slice(0, eq)}=${escape(l.slice(eq + 1))}`;
    })
    .reverse()
    .join(',');
}
