/** What the contention run needs from a lock implementation. */
export interface HeldLock {
  /** A number that grows with every acquisition (our lock); undefined when the lock has none (Redis). */
  fencingToken?: number;
  release(): Promise<void>;
}

export interface WorkerLock {
  acquire(): Promise<HeldLock>;
  /** Wake-ups so far: watch events (our lock) or failed polls (Redis). */
  wakeUps(): number;
  close(): Promise<void>;
}

export interface LockBackend {
  /** For the report, e.g. "fair mutex (@coord/recipes) on the coordination service at 127.0.0.1:2181 (/locks/lock-demo)". */
  description: string;
  /** What wakeUps() counts, for the report. */
  wakeUpLabel: string;
  /** Whether waiters form a queue the live view can show. */
  queued: boolean;
  worker(id: number): Promise<WorkerLock>;
  close(): Promise<void>;
}
