import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Module, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { CoordinationModule, PlainLogger } from '@coord/nest';
import type { ClientConfig } from './config';
import { Forwarder } from './forwarder';
import { CLIENT_CONFIG, ServerList } from './server-list';
import { ServersController } from './servers.controller';

export interface RunningClient {
  app: INestApplication;
  url: string;
  list: ServerList;
  close(): Promise<void>;
}

export function clientModule(config: ClientConfig) {
  @Module({
    imports: [CoordinationModule.forRoot({ connectString: config.connectString }), TerminusModule],
    controllers: [ServersController],
    providers: [{ provide: CLIENT_CONFIG, useValue: config }, ServerList, Forwarder],
  })
  class DistributeClientModule {}
  return DistributeClientModule;
}

/** Starts the HTTP side on a loopback port (never all interfaces) and the watch on the server list. */
export async function startClient(config: ClientConfig, logger: LoggerService = new PlainLogger()): Promise<RunningClient> {
  const app = await NestFactory.create(clientModule(config), { logger });
  await app.listen(config.httpPort, config.httpHost);
  const address = app.getHttpServer().address() as AddressInfo;
  const url = `http://${config.httpHost}:${address.port}`;
  logger.log(`HTTP on ${url} (GET /servers, /hello?message=hi, /work?ms=2000, /health)`, 'DistributeClient');
  let closing: Promise<void> | undefined;
  return { app, url, list: app.get(ServerList), close: () => (closing ??= app.close()) };
}
