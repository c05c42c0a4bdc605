import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ClientOptions } from '@coord/client';

export interface CoordinationModuleOptions {
  /** Any ZooKeeper connect string: 'host:port[,host:port...][/chroot]'. */
  connectString: string;
  sessionTimeoutMs?: number;
  /** How long one connection attempt may take before it is reported (ms). */
  connectTimeoutMs?: number;
  /** Wait for a session during module init (default true). Otherwise connect in the background. */
  awaitConnection?: boolean;
  /** Where @LeaderOnly() elections live (default /leader). */
  electionPath?: string;
  /** Where @WithLock() locks live (default /locks). */
  lockPath?: string;
  /** An id for this replica in elections (default host name and pid). */
  participantId?: string;
  /** Any other client settings (logger, requestTimeoutMs, ...). */
  client?: Omit<ClientOptions, 'sessionTimeoutMs' | 'connectTimeoutMs'>;
}

export const {
  ConfigurableModuleClass: CoordinationModuleBase,
  MODULE_OPTIONS_TOKEN: COORD_OPTIONS,
  OPTIONS_TYPE: CoordinationOptionsType,
  ASYNC_OPTIONS_TYPE: CoordinationAsyncOptionsType,
} = new ConfigurableModuleBuilder<CoordinationModuleOptions>({ moduleName: 'Coordination' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** The injection token of the ZkClient. */
export const COORD_CLIENT = 'COORD_CLIENT';

export const defaultElectionPath = '/leader';
export const defaultLockPath = '/locks';
