/**
 * Certificates for TLS tests and demos, made at test time with Debian's openssl (never committed): a
 * CA, certificates it signs (server: SAN 127.0.0.1 and localhost; clients: any subject, optionally
 * expired), and a second CA nobody trusts. Each certificate comes as ZooKeeper's PEM key store: the
 * private key and the certificate in one file.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCert {
  /** Key and certificate in one PEM file (ssl.keyStore.location with ssl.keyStore.type=PEM). */
  keyStore: string;
  keyPath: string;
  certPath: string;
}

export interface TestCa {
  /** The CA certificate (ssl.trustStore.location with ssl.trustStore.type=PEM). */
  trustStore: string;
  keyPath: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed CA in `dir` named `name`. */
export function makeTestCa(dir: string, name = 'ca', subject = '/O=Coordinode tests/CN=Test CA'): TestCa {
  const keyPath = join(dir, `${name}.key`);
  const trustStore = join(dir, `${name}.pem`);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', trustStore, '-days', '2', '-subj', subject], dir);
  return { trustStore, keyPath };
}

/**
 * A certificate signed by `ca`. `days` < 0 makes one that has already expired; `san` lists
 * subjectAltName entries (e.g. `IP:127.0.0.1`).
 */
export function issueTestCert(ca: TestCa, dir: string, name: string, opts: { subject: string; days?: number; san?: string[] }): TestCert {
  const keyPath = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const certPath = join(dir, `${name}.crt`);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', csr, '-subj', opts.subject], dir);
  const args = ['x509', '-req', '-in', csr, '-CA', ca.trustStore, '-CAkey', ca.keyPath, '-CAcreateserial', '-days', String(opts.days ?? 2), '-out', certPath];
  if (opts.san && opts.san.length > 0) {
    const ext = join(dir, `${name}.ext`);
    writeFileSync(ext, `subjectAltName=${opts.san.join(',')}\n`);
    args.push('-extfile', ext);
  }
  openssl(args, dir);
  const keyStore = join(dir, `${name}.pem`);
  execFileSync('sh', ['-c', `cat "${keyPath}" "${certPath}" > "${keyStore}"`]);
  return { keyStore, keyPath, certPath };
}

/** The usual set: a CA, a loopback server certificate, a client, an expired client and a client of an untrusted CA. */
export function makeTestPki(dir: string): {
  ca: TestCa;
  server: TestCert;
  client: TestCert;
  expiredClient: TestCert;
  strangerCa: TestCa;
  strangerClient: TestCert;
} {
  const ca = makeTestCa(dir);
  const strangerCa = makeTestCa(dir, 'stranger-ca', '/O=Somebody else/CN=Untrusted CA');
  return {
    ca,
    server: issueTestCert(ca, dir, 'server', { subject: '/O=Coordinode tests/CN=localhost', san: ['IP:127.0.0.1', 'DNS:localhost'] }),
    client: issueTestCert(ca, dir, 'client', { subject: '/C=US/O=Coordinode tests/OU=clients/CN=alice' }),
    expiredClient: issueTestCert(ca, dir, 'expired', { subject: '/O=Coordinode tests/CN=old', days: -1 }),
    strangerCa,
    strangerClient: issueTestCert(strangerCa, dir, 'stranger', { subject: '/O=Somebody else/CN=mallory' }),
  };
}
