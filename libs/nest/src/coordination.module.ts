import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { createClient, type Logger as ClientLogger } from '@coord/client';
import { Logger } from '@nestjs/common';
import { COORD_CLIENT, COORD_OPTIONS, CoordinationModuleBase, type CoordinationModuleOptions } from './options';
import { CoordinationService } from './coordination.service';
import { CoordinationHealthIndicator } from './health.indicator';
import { CoordinationExplorer } from './explorer';

/** Client messages go to Nest's logger; the client's own debug chatter stays off. */
function nestClientLogger(): ClientLogger {
  const logger = new Logger('CoordinationClient');
  return { debug: () => undefined, info: (m) => logger.log(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) };
}

/**
 * `CoordinationModule.forRoot({ connectString })` or `.forRootAsync({ useFactory, inject })`:
 * an injectable ZkClient (`@InjectCoordinator()`), CoordinationService, the Terminus indicator and the
 * @LeaderOnly/@WithLock machinery. Global by default; pass `isGlobal: false` to scope it.
 */
@Module({
  imports: [DiscoveryModule, TerminusModule],
  providers: [
    {
      provide: COORD_CLIENT,
      inject: [COORD_OPTIONS],
      useFactory: (o: CoordinationModuleOptions) =>
        createClient(o.connectString, {
          logger: nestClientLogger(),
          ...o.client,
          sessionTimeoutMs: o.sessionTimeoutMs,
          connectTimeoutMs: o.connectTimeoutMs,
        }),
    },
    CoordinationService,
    CoordinationHealthIndicator,
    CoordinationExplorer,
  ],
  exports: [COORD_CLIENT, CoordinationService, CoordinationHealthIndicator],
})
export class CoordinationModule extends CoordinationModuleBase {}
