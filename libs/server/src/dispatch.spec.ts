// The server's dispatch derives from @coord/protocol's opcode table: the read path answers exactly the
// table's reads (and sasl without SASL), prep answers exactly its single-op writes, and every other
// opcode gets UNIMPLEMENTED from both.
import { DataTree } from '@coord/data-tree';
import { ErrorCode, operationList, type Request } from '@coord/protocol';
import { PrepView, prepWriteOp } from './prep';
import { runRead } from './read-ops';

/** One body with every request record's fields: dispatch is under test here, not the handlers. */
const anyBody = {
  path: '/', watch: false, version: -1, data: null, acl: [], flags: 0, ttl: 1, type: 1, mode: 0, ops: [], token: null,
  scheme: 'digest', auth: null, relativeZxid: 0, dataWatches: [], existWatches: [], childWatches: [], persistentWatches: [],
  persistentRecursiveWatches: [], joiningServers: '', leavingServers: '', newMembers: '', curConfigId: -1,
};
const sampleOf = (code: number, hasBody: boolean): Request => ({ type: code, body: hasBody ? anyBody : null }) as Request;

describe('dispatch from the opcode table', () => {
  const tree = new DataTree();
  const readCtx = { tree, connId: 1, sessionId: 1n, ids: [], existsChecksRead: false };
  const prepCtx = { tree, sessionId: 1n, ids: [], extendedTypesEnabled: true };

  it.each(operationList.filter((o) => o.request !== undefined).map((o) => [o.name, o] as const))('%s', (_name, o) => {
    const request = sampleOf(o.code, o.request !== null);
    const read = runRead(readCtx, request).err;
    const prepped = prepWriteOp(prepCtx, new PrepView(tree), request);
    const readsIt = o.handling === 'read' || o.handling === 'sasl';
    const prepsIt = o.handling === 'write' && o.name !== 'multi';
    expect(read === ErrorCode.UNIMPLEMENTED).toBe(!readsIt);
    expect(prepped === ErrorCode.UNIMPLEMENTED).toBe(!prepsIt);
  });
});
