/** Wires the real `@coord/client` into the shell's ClientFactory (the only place the CLI imports it). */
import { createClient, type ClientOptions } from '@coord/client';
import type { ClientFactory } from './client-port';

/** A factory whose clients also get `extra` (TLS options from -client-configuration, SASL from a JAAS Client section). */
export function coordClientFactoryWith(extra: Pick<ClientOptions, 'tls' | 'sasl'>): ClientFactory {
  return (connectString, settings) =>
    createClient(connectString, {
      sessionTimeoutMs: settings.sessionTimeoutMs,
      readOnly: settings.readOnly,
      ...extra,
    });
}

export const coordClientFactory: ClientFactory = coordClientFactoryWith({});
