/** How txn results become response records, and which opcodes are writes. */
import { OpResult } from '@coord/data-tree';
import { ErrorCode, MultiResult, OpCode, ResponseBody } from '@coord/protocol';

export function isWrite(type: number): boolean {
  switch (type) {
    case 1:
    case 2:
    case 5:
    case 7:
    case 14:
    case 15:
    case 16:
    case 19:
    case 20:
    case 21:
      return true;
    default:
      return false;
  }
}

export function responseOf(opcode: number, result: OpResult): ResponseBody {
  switch (result.type) {
    case 'create':
      return opcode === OpCode.create ? { path: result.path } : { path: result.path, stat: result.stat };
    case 'setData':
    case 'setACL':
      return { stat: result.stat };
    default:
      return null;
  }
}

export function multiResultOf(opcode: number, result: OpResult): MultiResult {
  switch (result.type) {
    case 'create':
      return opcode === OpCode.create
        ? { type: 1, response: { path: result.path } }
        : { type: 15, response: { path: result.path, stat: result.stat } };
    case 'delete':
      return { type: 2, response: null };
    case 'setData':
      return { type: 5, response: { stat: result.stat } };
    case 'check':
      return { type: 13, response: null };
    case 'error':
      return { type: -1, response: { err: result.err } };
    default:
      return { type: -1, response: { err: ErrorCode.RUNTIMEINCONSISTENCY } };
  }
}

export function hex(value: bigint | number): string {
  return BigInt.asUintN(64, BigInt(value)).toString(16);
}

