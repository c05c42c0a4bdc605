/**
 * The security settings of a node, from ZooKeeper's own places: zoo.cfg keys (authProvider.N,
 * secureClientPort, ssl.*, sslQuorum, enforceQuota, ...), the system properties zkServer.sh users put
 * in SERVER_JVMFLAGS (-Djava.security.auth.login.config=FILE, -Dzookeeper.allowSaslFailedClients=true,
 * ...) and the --jaas-config flag. zoo.cfg wins over SERVER_JVMFLAGS, as ZooKeeper copies zoo.cfg keys
 * into system properties; the flag wins over both. Pure: files are read through `readFile`.
 */
import { digestUsers, JaasError, jvmProperties as javaProperties, parseJaas, storeTypeOf, TlsStoreError, type StoreSettings, type StoreType } from '@coord/client';
import type { SaslSettings, ServerConfig } from '@coord/server';
import { ConfigError } from '../ops/config-error';
import { parseBoolean, parseInteger, parsePort } from '../ops/zoo-cfg';

export type ClientAuth = 'none' | 'want' | 'need';

/** One listener's TLS: ZooKeeper's ssl.* (client port) or ssl.quorum.* (quorum and election ports) keys. */
export interface TlsSettings {
  keyStore?: StoreSettings;
  trustStore?: StoreSettings;
  clientAuth: ClientAuth;
  /** ssl.protocol / ssl.enabledProtocols: the lowest TLS version accepted. */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** ssl.hostnameVerification (quorum: the peer's certificate must name its host). */
  hostnameVerification: boolean;
}

/** The pipeline's own security settings (documented in @coord/server's ServerConfig), as read here. */
type PipelineSecurity = Pick<
  ServerConfig,
  'requiredAuthSchemes' | 'x509SuperUser' | 'enforceQuota' | 'sessionWatchesMax' | 'sessionEphemeralsMax' | 'sessionOutstandingMax'
>;

export interface SecuritySettings extends PipelineSecurity {
  /** SASL DIGEST-MD5 from the JAAS file's Server section; absent when no JAAS file is configured. */
  sasl?: SaslSettings;
  jaasPath?: string;
  secureClientPort?: number;
  secureClientPortAddress?: string;
  clientTls: TlsSettings;
  /** sslQuorum=true: members talk mutual TLS on the quorum and election ports. */
  sslQuorum: boolean;
  quorumTls: TlsSettings;
}

export interface SecurityEntry {
  key: string;
  value: string;
  where: string;
}

const saslProviderClass = 'org.apache.zookeeper.server.auth.SASLAuthenticationProvider';
const builtInProviders = new Set([
  'org.apache.zookeeper.server.auth.DigestAuthenticationProvider',
  'org.apache.zookeeper.server.auth.IPAuthenticationProvider',
  'org.apache.zookeeper.server.auth.X509AuthenticationProvider',
]);
const jaasProperty = 'java.security.auth.login.config';
const storeKinds = ['keyStore', 'trustStore'] as const;
const storeFields = ['location', 'password', 'type'] as const;
const storeKeyPattern = new RegExp(`^ssl\\.(quorum\\.)?(${storeKinds.join('|')})\\.(${storeFields.join('|')})$`);
const tlsFields = ['clientAuth', 'protocol', 'enabledProtocols', 'hostnameVerification', 'ciphersuites', 'context.supplier.class', 'crl', 'ocsp'];

/** True for the keys this module reads (zoo.cfg sends them here instead of warning about them). */
export function isSecurityKey(key: string): boolean {
  if (/^authProvider\.\w+$/.test(key)) return true;
  if (storeKeyPattern.test(key)) return true;
  if (tlsFields.some((f) => key === `ssl.${f}` || key === `ssl.quorum.${f}`)) return true;
  return [
    'allowSaslFailedClients', 'sessionRequireClientSASLAuth', 'requireClientAuthScheme', 'enforce.auth.enabled', 'enforce.auth.schemes',
    'superUser', 'X509AuthenticationProvider.superUser', 'enforceQuota', 'sessionMaxWatches', 'sessionMaxEphemerals',
    'sessionMaxOutstandingRequests', 'secureClientPort', 'secureClientPortAddress', 'serverCnxnFactory', 'sslQuorum',
    'quorum.auth.enableSasl', 'quorum.auth.learnerRequireSasl', 'quorum.auth.serverRequireSasl', 'client.secure', jaasProperty,
  ].includes(key);
}

/** `-Dkey=value` system properties of JVMFLAGS then SERVER_JVMFLAGS (zkEnv.sh order), `zookeeper.` dropped. */
export function jvmProperties(env: NodeJS.ProcessEnv): SecurityEntry[] {
  return javaProperties(env, ['JVMFLAGS', 'SERVER_JVMFLAGS']);
}

function storeType(key: string, given: string | undefined, location: string, where: string): StoreType {
  try {
    return storeTypeOf(given, location);
  } catch (e) {
    if (e instanceof TlsStoreError) throw new ConfigError(key, given ?? location, e.message, where);
    throw e;
  }
}

function tlsSettings(get: (k: string) => SecurityEntry | undefined, prefix: string): TlsSettings {
  const stores: Partial<Record<(typeof storeKinds)[number], StoreSettings>> = {};
  for (const kind of storeKinds) {
    const location = get(`${prefix}${kind}.location`);
    if (!location || location.value === '') continue;
    const type = get(`${prefix}${kind}.type`);
    const password = get(`${prefix}${kind}.password`);
    stores[kind] = {
      location: location.value,
      type: storeType(`${prefix}${kind}.type`, type?.value, location.value, (type ?? location).where),
      ...(password && password.value !== '' && { password: password.value }),
    };
  }
  const auth = get(`${prefix}clientAuth`);
  const clientAuthText = (auth?.value ?? 'need').toLowerCase();
  if (clientAuthText !== 'none' && clientAuthText !== 'want' && clientAuthText !== 'need') {
    throw new ConfigError(`${prefix}clientAuth`, auth?.value ?? '', 'expected none, want or need', auth?.where);
  }
  const protocol = get(`${prefix}enabledProtocols`) ?? get(`${prefix}protocol`);
  let minVersion: TlsSettings['minVersion'];
  if (protocol) {
    const versions = protocol.value.split(',').map((v) => v.trim());
    if (versions.some((v) => v !== 'TLSv1.2' && v !== 'TLSv1.3' && v !== 'TLS')) {
      throw new ConfigError(protocol.key, protocol.value, 'expected TLSv1.2 and/or TLSv1.3 (older versions are not offered)', protocol.where);
    }
    minVersion = versions.includes('TLSv1.2') || versions.includes('TLS') ? 'TLSv1.2' : 'TLSv1.3';
  }
  const hv = get(`${prefix}hostnameVerification`);
  return {
    ...stores,
    clientAuth: clientAuthText,
    ...(minVersion && { minVersion }),
    hostnameVerification: hv ? parseBoolean(hv.key, hv.value, hv.where) : true,
  };
}

/**
 * Builds the settings from the zoo.cfg entries, SERVER_JVMFLAGS and the flag. `warnings` gets what is
 * accepted but not acted on.
 */
export function securityConfig(
  cfgEntries: readonly SecurityEntry[],
  env: NodeJS.ProcessEnv,
  jaasFlag: string | undefined,
  readFile: ((path: string) => string) | undefined,
  warnings: string[],
): SecuritySettings {
  const byKey = new Map<string, SecurityEntry>();
  for (const e of [...jvmProperties(env), ...cfgEntries]) byKey.set(e.key, e);
  if (jaasFlag !== undefined) byKey.set(jaasProperty, { key: '--jaas-config', value: jaasFlag, where: 'flag' });
  const get = (k: string) => byKey.get(k);
  const bool = (k: string, dflt: boolean) => {
    const e = get(k);
    return e ? parseBoolean(e.key, e.value, e.where) : dflt;
  };
  const count = (k: string) => {
    const e = get(k);
    return e ? parseInteger(e.key, e.value, e.where, 0) : 0;
  };

  let saslProvider: SecurityEntry | undefined;
  for (const [key, e] of byKey) {
    if (!key.startsWith('authProvider.')) continue;
    if (e.value === saslProviderClass) saslProvider = e;
    else if (!builtInProviders.has(e.value)) warnings.push(`${e.where}: ${key}=${e.value} is not a provider Coordinode has; ignored`);
  }
  const jaas = get(jaasProperty);
  let sasl: SaslSettings | undefined;
  if (jaas) {
    if (!readFile) throw new ConfigError(jaas.key, jaas.value, 'no file reader was provided');
    let text: string;
    try {
      text = readFile(jaas.value);
    } catch (err) {
      throw new ConfigError(jaas.key, jaas.value, `cannot read the JAAS file (${err instanceof Error ? err.message : String(err)})`, jaas.where);
    }
    let config;
    let users: Map<string, string> | undefined;
    try {
      config = parseJaas(text, jaas.value);
      if (config.has('Server')) users = digestUsers(config, 'Server', jaas.value);
    } catch (e) {
      if (e instanceof JaasError) throw new ConfigError(jaas.key, jaas.value, e.message, jaas.where);
      throw e;
    }
    if (users) {
      sasl = { users, allowFailedClients: bool('allowSaslFailedClients', false) };
      const superUser = get('superUser');
      if (superUser) sasl.superUser = superUser.value;
    } else if (saslProvider) {
      throw new ConfigError(jaas.key, jaas.value, `${saslProvider.key} names SASLAuthenticationProvider but the JAAS file has no Server section`, jaas.where);
    }
  } else if (saslProvider) {
    throw new ConfigError(
      saslProvider.key,
      saslProvider.value,
      'SASL needs a JAAS file with a Server section: SERVER_JVMFLAGS="-Djava.security.auth.login.config=FILE" or --jaas-config=FILE',
      saslProvider.where,
    );
  }

  let requiredAuthSchemes: string[] = [];
  const requireScheme = get('requireClientAuthScheme');
  if (bool('sessionRequireClientSASLAuth', false) || requireScheme?.value.trim() === 'sasl') requiredAuthSchemes = ['sasl'];
  else if (bool('enforce.auth.enabled', false)) {
    const schemes = get('enforce.auth.schemes');
    requiredAuthSchemes = (schemes?.value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (requiredAuthSchemes.length === 0) throw new ConfigError('enforce.auth.enabled', 'true', 'enforce.auth.schemes must be configured', get('enforce.auth.enabled')?.where);
  }
  for (const scheme of requiredAuthSchemes) {
    if (scheme === 'sasl' && !sasl) throw new ConfigError('enforce.auth.schemes', scheme, 'sasl is required but no JAAS Server section is configured');
    if (!['sasl', 'digest', 'x509', 'ip'].includes(scheme)) throw new ConfigError('enforce.auth.schemes', scheme, `authentication scheme ${scheme} is not available`);
  }
  for (const k of ['quorum.auth.enableSasl', 'quorum.auth.learnerRequireSasl', 'quorum.auth.serverRequireSasl']) {
    if (get(k) && bool(k, false)) warnings.push(`${get(k)?.where}: ${k}: quorum SASL is not supported by Coordinode; use sslQuorum=true (mutual TLS) to authenticate members`);
  }
  const securePort = get('secureClientPort');
  const secureAddress = get('secureClientPortAddress');
  const x509Super = get('X509AuthenticationProvider.superUser');
  const settings: SecuritySettings = {
    ...(sasl && { sasl }),
    ...(jaas && { jaasPath: jaas.value }),
    requiredAuthSchemes,
    ...(x509Super && { x509SuperUser: x509Super.value }),
    enforceQuota: bool('enforceQuota', false),
    sessionWatchesMax: count('sessionMaxWatches'),
    sessionEphemeralsMax: count('sessionMaxEphemerals'),
    sessionOutstandingMax: count('sessionMaxOutstandingRequests'),
    ...(securePort && { secureClientPort: parsePort(securePort.key, securePort.value, securePort.where) }),
    ...(secureAddress && { secureClientPortAddress: secureAddress.value }),
    clientTls: tlsSettings(get, 'ssl.'),
    sslQuorum: bool('sslQuorum', false),
    quorumTls: tlsSettings(get, 'ssl.quorum.'),
  };
  if (settings.secureClientPort !== undefined && !settings.clientTls.keyStore) {
    throw new ConfigError('secureClientPort', String(settings.secureClientPort), 'needs ssl.keyStore.location (the server key and certificate)', securePort?.where);
  }
  if (settings.sslQuorum && (!settings.quorumTls.keyStore || !settings.quorumTls.trustStore)) {
    throw new ConfigError('sslQuorum', 'true', 'needs ssl.quorum.keyStore.location and ssl.quorum.trustStore.location', get('sslQuorum')?.where);
  }
  return settings;
}
