import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ZkClient } from '@coord/client';
import { GroupMember, LeaderLatch, Mutex, type LockHandle, type Member } from '@coord/recipes';
import { COORD_CLIENT, COORD_OPTIONS, defaultElectionPath, defaultLockPath, type CoordinationModuleOptions } from './options';
import { connectWithRetry } from './connect';

/** How long election() waits for the first leadership decision (ms). */
const electionSettleMsMax = 2_000;

/**
 * The app-facing side of the module: the connected client, and @coord/recipes' locks, elections and
 * group members, all torn down in Nest's shutdown order (deregister first so that callers stop routing
 * here, then close).
 */
@Injectable()
export class CoordinationService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Coordination');
  private readonly registrations = new Set<GroupMember>();
  private readonly latches = new Map<string, LeaderLatch>();
  private readonly locks = new Map<string, Mutex>();
  private readonly shutdown = new AbortController();
  private connecting: Promise<void> | null = null;
  readonly participantId: string;

  constructor(
    @Inject(COORD_CLIENT) readonly client: ZkClient,
    @Inject(COORD_OPTIONS) readonly options: CoordinationModuleOptions,
  ) {
    // Unique even for two apps in one process (tests), so that the leader can be told apart by id.
    this.participantId = options.participantId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  async onModuleInit(): Promise<void> {
    this.connecting = connectWithRetry(
      this.client,
      this.options.connectString,
      { unreachable: (m) => this.logger.warn(m), recovered: (m) => this.logger.log(m) },
      { signal: this.shutdown.signal, attemptTimeoutMs: this.options.connectTimeoutMs },
    ).catch(() => undefined);
    if (this.options.awaitConnection !== false) await this.connecting;
  }

  /** Resolves once the first session exists (or the app shuts down). */
  ready(): Promise<void> {
    return this.connecting ?? Promise.resolve();
  }

  get connected(): boolean {
    const s = this.client.state;
    return s === 'connected' || s === 'reconnected';
  }

  /** Registers a member as an ephemeral sequential node under basePath; removed again on shutdown. */
  async register(basePath: string, member: Member, prefix?: string): Promise<GroupMember> {
    const registration = new GroupMember(this.client, basePath, member, prefix);
    await registration.register();
    this.registrations.add(registration);
    return registration;
  }

  async deregister(registration: GroupMember): Promise<void> {
    this.registrations.delete(registration);
    await registration.deregister();
  }

  /** The lock named `name` (one per name and app; its stats count acquisitions, waits and wake-ups). */
  lock(name: string): Mutex {
    let lock = this.locks.get(name);
    if (!lock) {
      lock = new Mutex(this.client, `${this.options.lockPath ?? defaultLockPath}/${name}`);
      this.locks.set(name, lock);
    }
    return lock;
  }

  /** Lock `name`, or null when it is not acquired within waitMs (0: try once, never wait). */
  async tryLock(name: string, waitMs: number): Promise<LockHandle | null> {
    return this.lock(name).tryAcquire({ timeoutMs: waitMs });
  }

  /**
   * Joins the election `name` once and returns its latch, after the first decision is known (this
   * replica leads, or someone else does), so that a job run right after start-up does not skip on
   * every replica.
   */
  async election(name: string): Promise<LeaderLatch> {
    let latch = this.latches.get(name);
    if (!latch) {
      latch = new LeaderLatch(this.client, `${this.options.electionPath ?? defaultElectionPath}/${name}`, { id: this.participantId });
      this.latches.set(name, latch);
      latch.on('leader', () => this.logger.log(`leader of "${name}"`));
      await latch.start();
      await latch.waitForDecision({ timeoutMs: electionSettleMsMax });
    }
    return latch;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    for (const r of this.registrations) await r.deregister().catch(() => undefined);
    this.registrations.clear();
    for (const latch of this.latches.values()) await latch.close().catch(() => undefined);
    this.latches.clear();
  }

  async onApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    await this.client.close();
  }
}
