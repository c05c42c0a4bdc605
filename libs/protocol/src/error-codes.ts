/**
 * Names and messages of KeeperException.Code, as the Java client prints them
 * (`KeeperErrorCode = <message> for <path>`).
 */
import { ErrorCode, type ErrorCodeName } from './types';

const nameByCode = new Map<number, ErrorCodeName>(
  (Object.keys(ErrorCode) as ErrorCodeName[]).map((name) => [ErrorCode[name], name]),
);

/** Codes whose message is not derived from the name (Java's KeeperException.getCodeMessage). */
const messageByCode = new Map<number, string>([
  [0, 'ok'],
  [-1, 'SystemError'],
  [-2, 'RuntimeInconsistency'],
  [-3, 'DataInconsistency'],
  [-4, 'ConnectionLoss'],
  [-5, 'MarshallingError'],
  [-6, 'Unimplemented'],
  [-7, 'OperationTimeout'],
  [-8, 'BadArguments'],
  [-13, 'NewConfigNoQuorum'],
  [-14, 'ReconfigInProgress'],
  [-100, 'APIError'],
  [-101, 'NoNode'],
  [-102, 'NoAuth'],
  [-103, 'BadVersion'],
  [-108, 'NoChildrenForEphemerals'],
  [-110, 'NodeExists'],
  [-111, 'Directory not empty'],
  [-112, 'Session expired'],
  [-113, 'Invalid callback'],
  [-114, 'InvalidACL'],
  [-115, 'AuthFailed'],
  [-118, 'Session moved'],
  [-119, 'Not a read-only call'],
  [-120, 'Ephemeral node on local session'],
  [-121, 'No such watcher'],
  [-123, 'Reconfig is disabled'],
  [-124, 'Session closed because client failed to authenticate'],
  [-125, 'Quota has exceeded'],
  [-127, 'Op throttled due to high load'],
]);

/** The KeeperException.Code name (`NONODE`), or undefined for a code ZooKeeper does not define. */
export function errorName(code: number): ErrorCodeName | undefined {
  return nameByCode.get(code);
}

/**
 * Java's message for a code (`NoNode`, `Directory not empty`); `Unknown error <code>` for codes without
 * one (UNKNOWNSESSION -12 and REQUESTTIMEOUT -122 included, as in Java).
 */
export function errorMessage(code: number): string {
  return messageByCode.get(code) ?? `Unknown error ${code}`;
}

/** The text the Java client shows: `KeeperErrorCode = NoNode for /a` (path optional). */
export function keeperErrorText(code: number, path?: string): string {
  const base = `KeeperErrorCode = ${errorMessage(code)}`;
  return path === undefined ? base : `${base} for ${path}`;
}
