import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { CoordinationService } from './coordination.service';

/**
 * Terminus indicator: "up" while the session is connected. A suspended session (no server reachable,
 * session maybe still alive) is reported down so that a readiness probe stops routing here.
 */
@Injectable()
export class CoordinationHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly coordination: CoordinationService,
  ) {}

  isHealthy<const Key extends string = 'coordination'>(key: Key = 'coordination' as Key): HealthIndicatorResult<Key> {
    const zk = this.coordination.client;
    const details = { state: zk.state, server: zk.connectedHost, sessionId: `0x${zk.sessionId.toString(16)}` };
    const session = this.health.check(key);
    return this.coordination.connected ? session.up(details) : session.down(details);
  }
}
