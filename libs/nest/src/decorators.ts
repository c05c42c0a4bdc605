import { Inject, Logger } from '@nestjs/common';
import { COORD_CLIENT } from './options';

/** Metadata key listing an instance's @LeaderOnly elections, read by the explorer at bootstrap. */
export const LEADER_ONLY_ELECTIONS = Symbol('coord:leader-only-elections');
/** The property through which a decorated method finds the app's CoordinationService. */
export const COORD_RUNTIME = Symbol('coord:runtime');
/** Marks a class that has at least one coordinated method. */
export const COORD_DECORATED = Symbol('coord:decorated');

/** What a decorated method needs at call time (implemented by CoordinationService). */
export interface CoordinationRuntime {
  election(name: string): Promise<{ isLeader: boolean }>;
  tryLock(name: string, waitMs: number): Promise<{ fencingToken: number; release(): Promise<void> } | null>;
}

export interface WithLockOptions {
  /** How long to wait for the lock; 0 (default) skips this run when another replica holds it. */
  waitMs?: number;
}

/** Injects the module's ZkClient. */
export const InjectCoordinator = (): ParameterDecorator & PropertyDecorator => Inject(COORD_CLIENT);

const logger = new Logger('Coordination');

function runtimeOf(instance: object, decorator: string, method: string): CoordinationRuntime | undefined {
  const runtime = (instance as Record<symbol, CoordinationRuntime | undefined>)[COORD_RUNTIME];
  if (!runtime) logger.warn(`${decorator} on ${instance.constructor.name}.${method} ran before CoordinationModule was ready; skipped`);
  return runtime;
}

/** Copies metadata that other decorators (e.g. @Cron, @Interval) put on the original function. */
function wrapMethod(descriptor: PropertyDescriptor, wrapper: (...args: unknown[]) => unknown): void {
  const original = descriptor.value as object;
  for (const key of Reflect.getMetadataKeys(original)) Reflect.defineMetadata(key, Reflect.getMetadata(key, original), wrapper);
  Object.defineProperty(wrapper, 'name', { value: (original as { name: string }).name });
  descriptor.value = wrapper;
}

/**
 * The method runs only on the replica that currently leads election `name` (default: Class.method);
 * on the others a call returns undefined. Meant for @Cron/@Interval jobs that must run once per tick
 * across all replicas.
 */
export function LeaderOnly(name?: string): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    const method = String(propertyKey);
    const election = name ?? `${target.constructor.name}.${method}`;
    const names: string[] = Reflect.getMetadata(LEADER_ONLY_ELECTIONS, target) ?? [];
    Reflect.defineMetadata(LEADER_ONLY_ELECTIONS, [...names, election], target);
    Reflect.defineMetadata(COORD_DECORATED, true, target);
    const original = descriptor.value as unknown as (...args: unknown[]) => unknown;
    wrapMethod(descriptor, async function (this: object, ...args: unknown[]) {
      const runtime = runtimeOf(this, '@LeaderOnly', method);
      if (!runtime) return undefined;
      const latch = await runtime.election(election);
      return latch.isLeader ? original.apply(this, args) : undefined;
    });
  };
}

/**
 * The method runs while holding lock `name` (default: Class.method). With waitMs 0 a run that finds the
 * lock taken is skipped (returns undefined); the lock is released when the method settles.
 */
export function WithLock(name?: string, opts: WithLockOptions = {}): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    const method = String(propertyKey);
    const lockName = name ?? `${target.constructor.name}.${method}`;
    Reflect.defineMetadata(COORD_DECORATED, true, target);
    const original = descriptor.value as unknown as (...args: unknown[]) => unknown;
    wrapMethod(descriptor, async function (this: object, ...args: unknown[]) {
      const runtime = runtimeOf(this, '@WithLock', method);
      if (!runtime) return undefined;
      const handle = await runtime.tryLock(lockName, opts.waitMs ?? 0);
      if (!handle) return undefined;
      try {
        return await original.apply(this, args);
      } finally {
        await handle.release();
      }
    });
  };
}
