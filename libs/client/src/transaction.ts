import { OpCode, type MultiOp } from '@coord/protocol';
import { prependChroot } from './connect-string';
import type { ZkClient } from './client';
import { checkPath, createOp, toData } from './client';
import type { CallOptions, CreateOptions, Data, OpResult } from './types';

/**
 * A multi (transaction) builder: ops run atomically on the server. commit() resolves with every op's
 * result, or rejects with the first failing op's ZkError whose `results` holds all of them.
 * Invalid arguments (bad path, missing TTL) throw when the op is added.
 */
export class Transaction {
  private readonly ops: MultiOp[] = [];
  private readonly paths: string[] = [];

  constructor(private readonly client: ZkClient) {}

  create(path: string, data?: Data, opts: Omit<CreateOptions, keyof CallOptions> = {}): this {
    this.ops.push(createOp(this.client.chroot, path, data, opts));
    this.paths.push(path);
    return this;
  }

  delete(path: string, version = -1): this {
    checkPath(path);
    this.ops.push({ type: OpCode.delete, request: { path: prependChroot(this.client.chroot, path), version } });
    this.paths.push(path);
    return this;
  }

  setData(path: string, data: Data, version = -1): this {
    checkPath(path);
    this.ops.push({ type: OpCode.setData, request: { path: prependChroot(this.client.chroot, path), data: toData(data), version } });
    this.paths.push(path);
    return this;
  }

  check(path: string, version: number): this {
    checkPath(path);
    this.ops.push({ type: OpCode.check, request: { path: prependChroot(this.client.chroot, path), version } });
    this.paths.push(path);
    return this;
  }

  get size(): number {
    return this.ops.length;
  }

  commit(opts: CallOptions = {}): Promise<OpResult[]> {
    return this.client.commitOps(this.ops, this.paths, opts);
  }
}
