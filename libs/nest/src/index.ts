export { CoordinationModule } from './coordination.module';
export { CoordinationService } from './coordination.service';
export { CoordinationHealthIndicator } from './health.indicator';
export { COORD_CLIENT, COORD_OPTIONS, type CoordinationModuleOptions } from './options';
export { InjectCoordinator, LeaderOnly, WithLock, type WithLockOptions } from './decorators';
export { connectWithRetry, unreachableMessage, type ConnectReporter } from './connect';
export { PlainLogger } from './plain-logger';
export { selfRegister } from './self-register';
