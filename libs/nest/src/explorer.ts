import { Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { CoordinationService } from './coordination.service';
import { COORD_DECORATED, COORD_RUNTIME, LEADER_ONLY_ELECTIONS } from './decorators';

/**
 * Finds providers whose methods carry @LeaderOnly/@WithLock, hands them the CoordinationService, and
 * joins their elections at bootstrap so that leadership is settled before the first scheduled run.
 */
@Injectable()
export class CoordinationExplorer implements OnModuleInit, OnApplicationBootstrap {
  private readonly elections = new Set<string>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly coordination: CoordinationService,
  ) {}

  onModuleInit(): void {
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance = wrapper.instance as Record<symbol, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype || !Reflect.getMetadata(COORD_DECORATED, prototype)) continue;
      instance[COORD_RUNTIME] = this.coordination;
      const names: string[] = Reflect.getMetadata(LEADER_ONLY_ELECTIONS, prototype) ?? [];
      for (const n of names) this.elections.add(n);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.elections.size === 0) return;
    await this.coordination.ready();
    for (const name of this.elections) await this.coordination.election(name);
  }
}
