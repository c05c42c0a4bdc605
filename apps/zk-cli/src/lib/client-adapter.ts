/** Wires the real `@coord/client` into the shell's ClientFactory (the only place the CLI imports it). */
import { createClient } from '@coord/client';
import type { ClientFactory } from './client-port';

export const coordClientFactory: ClientFactory = (connectString, settings) =>
  createClient(connectString, {
    sessionTimeoutMs: settings.sessionTimeoutMs,
    readOnly: settings.readOnly,
  });
