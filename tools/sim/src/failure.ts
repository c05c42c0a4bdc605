// How a run fails. The classes get distinct exit codes in main.ts, like VOPR's: a broken safety
// property, a run that never converged after the faults were healed, or the core throwing.

export type FailureKind = 'correctness' | 'liveness' | 'crash';

export class SimFailure extends Error {
  constructor(readonly kind: FailureKind, message: string) {
    super(message);
    this.name = 'SimFailure';
  }
}

export const exitCodes: Record<FailureKind, number> = { correctness: 2, liveness: 3, crash: 4 };
