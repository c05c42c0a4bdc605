/** How txn results become response records (which opcodes are writes: @coord/protocol's isWrite). */
import { AppliedOp } from '@coord/data-tree';
import { ErrorCode, MultiResult, OpCode, ResponseBody } from '@coord/protocol';

export function responseOf(opcode: number, result: AppliedOp): ResponseBody {
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

export function multiResultOf(opcode: number, result: AppliedOp): MultiResult {
  switch (result.type) {
    case 'create':
      return opcode === OpCode.create
        ? { type: OpCode.create, response: { path: result.path } }
        : { type: OpCode.create2, response: { path: result.path, stat: result.stat } };
    case 'delete':
      return { type: OpCode.delete, response: null };
    case 'setData':
      return { type: OpCode.setData, response: { stat: result.stat } };
    case 'check':
      return { type: OpCode.check, response: null };
    case 'error':
      return { type: OpCode.error, response: { err: result.err } };
    default:
      return { type: OpCode.error, response: { err: ErrorCode.RUNTIMEINCONSISTENCY } };
  }
}

export function hex(value: bigint | number): string {
  return BigInt.asUintN(64, BigInt(value)).toString(16);
}

