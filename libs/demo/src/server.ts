import 'reflect-metadata';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { Module, type INestMicroservice, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { CoordinationModule, CoordinationService, PlainLogger, selfRegister } from '@coord/nest';
import { SERVER_IDENTITY, ServerController, type ServerIdentity } from './server.controller';
import type { DemoServerConfig } from './server-config';

/** The field a server adds to its registration node just before deregistering, with the reason. */
export const leavingField = 'leaving';

export interface RunningDemoServer {
  name: string;
  host: string;
  port: number;
  /** The registration node, e.g. /servers/server0000000003. */
  registrationPath: string;
  app: INestMicroservice;
  /** Deregisters, closes the TCP server (in-flight requests fail over on the client) and the session. */
  close(): Promise<void>;
}

/**
 * Starts the microservice on `config.host:config.port` (0 = free port), then registers it: the node is
 * written only once the port is known and listening, so a client never sees an endpoint that refuses.
 */
export async function startServer(config: DemoServerConfig, logger: LoggerService = new PlainLogger()): Promise<RunningDemoServer> {
  const identity: ServerIdentity = { name: config.name, endpoint: '' };

  @Module({
    imports: [CoordinationModule.forRoot({ connectString: config.connectString, sessionTimeoutMs: config.sessionTimeoutMs })],
    controllers: [ServerController],
    providers: [{ provide: SERVER_IDENTITY, useValue: identity }],
  })
  class DistributeServerModule {}

  const app = await NestFactory.createMicroservice<MicroserviceOptions>(DistributeServerModule, {
    transport: Transport.TCP,
    options: { host: config.host, port: config.port },
    logger,
  });
  await app.listen();
  const address = app.unwrap<NetServer>().address() as AddressInfo;
  identity.endpoint = `${config.host}:${address.port}`;
  let registration;
  try {
    registration = await selfRegister(app, { basePath: config.serversPath, name: config.name, host: config.host, extra: { pid: process.pid } });
  } catch (err) {
    await app.close();
    throw new Error(`${config.name} could not register under ${config.serversPath}: ${(err as Error).message}${chrootHint(config.connectString, err)}`);
  }
  logger.log(`${config.name} is online at ${identity.endpoint} (${registration.path}, pid ${process.pid})`, 'DistributeServer');
  let closing: Promise<void> | undefined;
  const goodbye = async () => {
    // Say why the node is about to go, so that watching clients can tell a deregistration from a session
    // that ended: the one data change a registration ever gets. Best effort: without it, the node still goes.
    const path = registration.path;
    if (path) await app.get(CoordinationService).client.setData(path, JSON.stringify({ ...registration.member, [leavingField]: 'deregistered' })).catch(() => undefined);
  };
  return {
    name: config.name,
    host: config.host,
    port: address.port,
    registrationPath: registration.path!,
    app,
    close: () => (closing ??= goodbye().then(() => app.close())),
  };
}

/** ZooKeeper requires a chroot to exist; say so instead of a bare NONODE. */
function chrootHint(connectString: string, err: unknown): string {
  const slash = connectString.indexOf('/');
  if (slash < 0 || (err as { code?: string }).code !== 'NONODE') return '';
  return ` (the chroot ${connectString.slice(slash)} must exist: create it first, e.g. create ${connectString.slice(slash)} "" in zkCli)`;
}
