import type { AddressInfo } from 'node:net';
import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { CoordinationService } from './coordination.service';
import type { GroupMember, Member } from '@coord/recipes';

/** The address an app listens on: the HTTP server's, or the TCP microservice's. */
function listeningAddress(app: INestApplication | INestMicroservice): AddressInfo {
  const server = 'getHttpServer' in app ? app.getHttpServer() : app.unwrap<{ address(): AddressInfo | string | null }>();
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('selfRegister: the app is not listening on a TCP port yet (call it after listen())');
  return address;
}

/**
 * Registers a listening app under `basePath` with the port it actually got (so port 0 works), as an
 * ephemeral sequential node. Call after `listen()`: clients then never see an endpoint that refuses.
 * The node is deleted in `beforeApplicationShutdown`, or by the session when the process dies.
 */
export async function selfRegister(
  app: INestApplication | INestMicroservice,
  opts: { basePath: string; name: string; host?: string; extra?: Record<string, unknown> },
): Promise<GroupMember> {
  const address = listeningAddress(app);
  const host = opts.host ?? (address.address === '::' || address.address === '0.0.0.0' ? '127.0.0.1' : address.address);
  const member: Member = { name: opts.name, host, port: address.port, ...opts.extra };
  return app.get(CoordinationService).register(opts.basePath, member);
}
