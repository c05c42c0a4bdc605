import { ErrorCode, keeperErrorText, type ErrorCodeName } from '@coord/protocol';
import type { OpResult } from './types';

const codeNames = new Map<number, ErrorCodeName>(
  (Object.entries(ErrorCode) as [ErrorCodeName, number][]).map(([name, code]) => [code, name]),
);

/** The name of a numeric ZooKeeper error code ('NONODE' for -101); unknown codes map to 'SYSTEMERROR'. */
export function errorCodeName(zkCode: number): ErrorCodeName {
  return codeNames.get(zkCode) ?? 'SYSTEMERROR';
}

/** A retry can only help when the request may not have reached the server (or its answer was lost). */
export function isRetryableCode(code: ErrorCodeName): boolean {
  return code === 'CONNECTIONLOSS' || code === 'OPERATIONTIMEOUT';
}

/**
 * A ZooKeeper outcome or a client-side failure that has a ZooKeeper code (connection loss, timeout,
 * session expiry). `retryable` says whether running the same call again is safe and may succeed.
 */
export class ZkError extends Error {
  readonly code: ErrorCodeName;
  readonly zkCode: number;
  readonly path?: string;
  readonly op?: string;
  readonly retryable: boolean;
  /** For a failed transaction: every op's result (the failing op and the ones after it carry errors). */
  results?: OpResult[];

  constructor(zkCode: number, opts: { path?: string; op?: string; message?: string; results?: OpResult[] } = {}) {
    const code = errorCodeName(zkCode);
    super(opts.message ?? keeperErrorText(zkCode, opts.path));
    this.name = 'ZkError';
    this.code = code;
    this.zkCode = zkCode;
    if (opts.path !== undefined) this.path = opts.path;
    if (opts.op !== undefined) this.op = opts.op;
    if (opts.results !== undefined) this.results = opts.results;
    this.retryable = isRetryableCode(code);
  }
}

export class NoNodeError extends ZkError {}
export class NodeExistsError extends ZkError {}
export class BadVersionError extends ZkError {}
export class NotEmptyError extends ZkError {}
export class NoAuthError extends ZkError {}
export class SessionExpiredError extends ZkError {}
export class ConnectionLossError extends ZkError {}
export class OperationTimeoutError extends ZkError {}
/** connect() did not reach a connected state within its timeout (code CONNECTIONLOSS, retryable). */
export class ConnectTimeoutError extends ConnectionLossError {}

const subclasses: Partial<Record<ErrorCodeName, typeof ZkError>> = {
  NONODE: NoNodeError,
  NODEEXISTS: NodeExistsError,
  BADVERSION: BadVersionError,
  NOTEMPTY: NotEmptyError,
  NOAUTH: NoAuthError,
  SESSIONEXPIRED: SessionExpiredError,
  CONNECTIONLOSS: ConnectionLossError,
  OPERATIONTIMEOUT: OperationTimeoutError,
};

/** The most specific ZkError class for a code. */
export function zkError(zkCode: number, opts: { path?: string; op?: string; message?: string; results?: OpResult[] } = {}): ZkError {
  const Cls = subclasses[errorCodeName(zkCode)] ?? ZkError;
  const err = new Cls(zkCode, opts);
  err.name = Cls.name;
  return err;
}

export function connectionLoss(message?: string, op?: string): ZkError {
  return zkError(ErrorCode.CONNECTIONLOSS, { message, op });
}

export function isZkError(err: unknown, code?: ErrorCodeName): err is ZkError {
  return err instanceof ZkError && (code === undefined || err.code === code);
}
