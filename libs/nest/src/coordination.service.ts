import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ZkClient } from '@coord/client';
import { COORD_CLIENT, COORD_OPTIONS, defaultElectionPath, defaultLockPath, type CoordinationModuleOptions } from './options';
import { connectWithRetry } from './connect';
import { LeaderLatch } from '@coord/recipes';
import { ServiceRegistration, ZkLock, type LockHandle, type ServiceInstance } from './recipes';

/**
 * The app-facing side of the module: the connected client, locks, elections and registrations, all
 * torn down in Nest's shutdown order (deregister first so that callers stop routing here, then close).
 */
/** How long election() waits for the first leadership decision (ms), and how often it looks. */
const electionSettleMsMax = 2_000;
const electionSettlePollMs = 10;

@Injectable()
export class CoordinationService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Coordination');
  private readonly registrations = new Set<ServiceRegistration>();
  private readonly latches = new Map<string, LeaderLatch>();
  private readonly locks = new Map<string, ZkLock>();
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

  /** Registers an instance as an ephemeral sequential node under basePath; removed again on shutdown. */
  async register(basePath: string, instance: ServiceInstance, prefix = 'server'): Promise<ServiceRegistration> {
    const registration = new ServiceRegistration(this.client, basePath, instance, prefix);
    await registration.register();
    this.registrations.add(registration);
    return registration;
  }

  async deregister(registration: ServiceRegistration): Promise<void> {
    this.registrations.delete(registration);
    await registration.deregister();
  }

  /** The lock named `name` (one per name and app; its stats count acquisitions and wake-ups). */
  lock(name: string): ZkLock {
    let lock = this.locks.get(name);
    if (!lock) {
      lock = new ZkLock(this.client, `${this.options.lockPath ?? defaultLockPath}/${name}`);
      this.locks.set(name, lock);
    }
    return lock;
  }

  /** Runs under lock `name`: null (and `fn` not called) when it is not acquired within waitMs. */
  async tryLock(name: string, waitMs: number): Promise<LockHandle | null> {
    return this.lock(name).acquire({ waitMs });
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
      await this.settled(latch);
    }
    return latch;
  }

  private async settled(latch: LeaderLatch): Promise<void> {
    const deadline = Date.now() + electionSettleMsMax;
    while (Date.now() < deadline) {
      if (latch.isLeader) return;
      const leader = await latch.getLeader().catch(() => null);
      if (leader && leader.id !== this.participantId) return;
      await new Promise((r) => setTimeout(r, electionSettlePollMs));
    }
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
