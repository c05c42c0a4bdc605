import 'reflect-metadata';
import { createServer, type AddressInfo } from 'node:net';
import { Module, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { CoordinationModule, PlainLogger } from '@coord/nest';
import type { ClientConfig } from './config';
import { Forwarder } from './forwarder';
import { CLIENT_CONFIG, ServerList } from './server-list';
import { endpoints, ServersController } from './servers.controller';

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

export function portInUseMessage(host: string, port: number): string {
  return `HTTP port ${port} on ${host} is already in use (another distribute-client?); choose another with --http-port=N, or --http-port=0 for any free port`;
}

async function assertPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new Error(portInUseMessage(host, port)) : err));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Starts the HTTP side on a loopback port (never all interfaces) and the watch on the server list. */
export async function startClient(config: ClientConfig, logger: LoggerService = new PlainLogger()): Promise<RunningClient> {
  // Checked before Nest starts, so a busy port gives one clear line instead of Nest's error and a half-started app.
  if (config.httpPort !== 0) await assertPortFree(config.httpHost, config.httpPort);
  const app = await NestFactory.create(clientModule(config), { logger });
  await app.listen(config.httpPort, config.httpHost);
  const address = app.getHttpServer().address() as AddressInfo;
  const url = `http://${config.httpHost}:${address.port}`;
  logger.log(`HTTP on ${url} (GET / lists the endpoints: ${endpoints.map(([p]) => p.slice(4)).join(', ')})`, 'DistributeClient');
  let closing: Promise<void> | undefined;
  return { app, url, list: app.get(ServerList), close: () => (closing ??= app.close()) };
}
