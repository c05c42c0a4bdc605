/**
 * zkCli.sh's `-client-configuration FILE`: Java properties with the Java client's keys. The TLS ones
 * are acted on (zookeeper.client.secure=true, zookeeper.ssl.keyStore.* / trustStore.*,
 * zookeeper.ssl.hostnameVerification); zookeeper.clientCnxnSocket is accepted (we have one socket
 * kind). Other keys are ignored, as the Java client ignores keys it does not know.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { digestCredentials, JaasError, jvmProperties, parseJaas, storeTypeOf, tlsStoreOptions, TlsStoreError, type StoreSettings } from '@coord/client';

export class ClientConfigurationError extends Error {}

/** `key=value` / `key: value` lines; `#` and `!` start comments (no continuation lines: the client keys never need them). */
export function parseClientProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out.set(m[1].startsWith('zookeeper.') ? m[1].slice('zookeeper.'.length) : m[1], m[2].trim());
  }
  return out;
}

function store(props: Map<string, string>, kind: 'keyStore' | 'trustStore'): StoreSettings | undefined {
  const location = props.get(`ssl.${kind}.location`);
  if (!location) return undefined;
  const password = props.get(`ssl.${kind}.password`);
  return { location, type: storeTypeOf(props.get(`ssl.${kind}.type`), location), ...(password && { password }) };
}

/** The client's TLS options from the file, or undefined when zookeeper.client.secure is not true. */
export function tlsFromClientConfiguration(path: string, readFile: (p: string) => Buffer = (p) => readFileSync(p)): ConnectionOptions | undefined {
  let text: string;
  try {
    text = readFile(path).toString('utf8');
  } catch (e) {
    throw new ClientConfigurationError(`cannot read the client configuration ${path}: ${(e as Error).message}`);
  }
  const props = parseClientProperties(text);
  if (props.get('client.secure') !== 'true') return undefined;
  try {
    const options: ConnectionOptions = tlsStoreOptions({ keyStore: store(props, 'keyStore'), trustStore: store(props, 'trustStore') }, readFile);
    if (props.get('ssl.hostnameVerification') === 'false') options.checkServerIdentity = () => undefined;
    return options;
  } catch (e) {
    if (e instanceof TlsStoreError) throw new ClientConfigurationError(`${path}: ${e.message}`);
    throw e;
  }
}

/**
 * SASL DIGEST-MD5 as zkCli.sh does it: the JAAS file named by -Djava.security.auth.login.config in
 * JVMFLAGS or CLIENT_JVMFLAGS, its `Client` section (zookeeper.sasl.clientconfig renames it;
 * zookeeper.sasl.client=false turns SASL off). No JAAS file, or no such section: no SASL.
 */
export function saslFromJvmFlags(
  env: Record<string, string | undefined>,
  readFile: (p: string) => Buffer = (p) => readFileSync(p),
): { username: string; password: string } | undefined {
  const props = new Map(jvmProperties(env, ['JVMFLAGS', 'CLIENT_JVMFLAGS']).map((p) => [p.key, p.value]));
  const path = props.get('java.security.auth.login.config');
  if (path === undefined || props.get('sasl.client') === 'false') return undefined;
  const section = props.get('sasl.clientconfig') ?? 'Client';
  try {
    const jaas = parseJaas(readFile(path).toString('utf8'), path);
    return jaas.has(section) ? digestCredentials(jaas, section, path) : undefined;
  } catch (e) {
    if (e instanceof JaasError) throw new ClientConfigurationError(e.message);
    throw new ClientConfigurationError(`cannot read the JAAS file ${path}: ${(e as Error).message}`);
  }
}
