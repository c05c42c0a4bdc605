import { ErrorCode, keeperErrorText, type ErrorCodeName } from '@coord/protocol';

/** What CliWrapperException prints for a ZooKeeper error on `path` (the path the user typed). */
export function keeperMessage(zkCode: number, path: string | null): string {
  const p = path ?? 'null';
  switch (zkCode) {
    case ErrorCode.NONODE:
      return `Node does not exist: ${p}`;
    case ErrorCode.NODEEXISTS:
      return `Node already exists: ${p}`;
    case ErrorCode.NOCHILDRENFOREPHEMERALS:
      return `Ephemerals cannot have children: ${p}`;
    case ErrorCode.NOTEMPTY:
      return `Node not empty: ${p}`;
    case ErrorCode.NOTREADONLY:
      return `Not a read-only call: ${p}`;
    case ErrorCode.INVALIDACL:
      return `Acl is not valid : ${p}`;
    case ErrorCode.NOAUTH:
      return `Insufficient permission : ${p}`;
    case ErrorCode.BADARGUMENTS:
      return `Arguments are not valid : ${p}`;
    case ErrorCode.BADVERSION:
      return `version No is not valid : ${p}`;
    case ErrorCode.QUOTAEXCEEDED:
      return `Quota has exceeded : ${p}`;
    default:
      return keeperErrorText(zkCode, path ?? undefined);
  }
}

/** The numeric code of an error thrown by the client (ZkError carries zkCode; a code name is mapped). */
export function zkCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { zkCode?: unknown; code?: unknown };
  if (typeof e.zkCode === 'number') return e.zkCode;
  if (typeof e.code === 'string' && e.code in ErrorCode) return ErrorCode[e.code as ErrorCodeName];
  return undefined;
}

/** Errors that mean the connection, not the command, failed: exit code 2. */
export function isConnectionCode(zkCode: number): boolean {
  return (
    zkCode === ErrorCode.CONNECTIONLOSS ||
    zkCode === ErrorCode.SESSIONEXPIRED ||
    zkCode === ErrorCode.OPERATIONTIMEOUT ||
    zkCode === ErrorCode.SESSIONMOVED ||
    zkCode === ErrorCode.AUTHFAILED
  );
}
