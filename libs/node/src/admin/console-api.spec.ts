import { DataTree, digestId, OPEN_ACL_UNSAFE, type Txn, type TxnOp } from '@coord/data-tree';
import { parseSrvr } from './cluster';
import { checkPath, ConsoleInputError, describeNode, describeQueues, describeRegistry } from './console-api';

const alice = 0x100000000000001n;
const bob = 0x100000000000002n;
let zxid = 0;
function apply(tree: DataTree, op: TxnOp, sessionId = alice, time = 1000 + zxid): void {
  zxid++;
  const txn: Txn = { zxid, time, sessionId, cxid: 0, op };
  tree.applyTxn(txn);
}
const create = (path: string, data = '', owner = 0n, acl = OPEN_ACL_UNSAFE): TxnOp => ({ type: 'create', path, data: Buffer.from(data), acl, ephemeralOwner: owner });

describe('console views over a tree', () => {
  it('lists a lock queue holder first with fencing tokens and wait times, and an election with its leader', () => {
    const tree = new DataTree();
    apply(tree, create('/locks'));
    apply(tree, create('/locks/job'));
    apply(tree, create('/locks/job/_c_bbb-lock-0000000001', '', bob, OPEN_ACL_UNSAFE), bob, 2000);
    apply(tree, create('/locks/job/_c_aaa-lock-0000000000', '', alice), alice, 1500);
    apply(tree, create('/election'));
    apply(tree, create('/election/_c_ccc-latch-0000000003', '', bob), bob, 1800);
    apply(tree, create('/plain'));
    apply(tree, create('/plain/child'));
    const queues = describeQueues(tree, 5000);
    expect(queues.map((q) => [q.path, q.kind, q.total])).toEqual([
      ['/election', 'election', 1],
      ['/locks/job', 'lock', 2],
    ]);
    const lock = queues[1].contenders;
    expect(lock.map((c) => [c.state, c.fencingToken, c.sessionId, c.waitingMs])).toEqual([
      ['holder', 0, '0x100000000000001', 3500],
      ['waiting', 1, '0x100000000000002', 3000],
    ]);
    expect(queues[0].contenders[0]).toMatchObject({ state: 'leader', fencingToken: 3 });
  });

  it('withholds the data of a znode world may not read, masks digests, pages children', () => {
    const tree = new DataTree();
    const secretAcl = [{ perms: 31, id: { scheme: 'digest', id: digestId('admin:pw') } }];
    apply(tree, create('/secret', 'top secret', 0n, secretAcl));
    const n = describeNode(tree, '/secret')!;
    expect(n.readable).toBe(false);
    expect(n.data).toBeNull();
    expect(n.acl).toEqual([{ perms: 'cdrwa', scheme: 'digest', id: 'admin:x' }]);
    expect(JSON.stringify(n)).not.toContain(digestId('admin:pw').split(':')[1]);
    apply(tree, create('/many'));
    for (let i = 0; i < 600; i++) apply(tree, create(`/many/c${String(i).padStart(3, '0')}`));
    const page = describeNode(tree, '/many', 500)!;
    expect([page.childrenTotal, page.childrenOffset, page.children.length, page.children[0]]).toEqual([600, 500, 100, 'c500']);
    expect(describeNode(tree, '/nope')).toBeNull();
  });

  it('shows a registry with JSON and text instances', () => {
    const tree = new DataTree();
    apply(tree, create('/servers'));
    apply(tree, create('/servers/server0000000000', '{"name":"hadoop102","port":1}', alice));
    apply(tree, create('/servers/server0000000001', 'hadoop103', bob));
    const reg = describeRegistry(tree, '/servers');
    expect(reg.instances.map((i) => [i.name, i.json, i.text])).toEqual([
      ['server0000000000', { name: 'hadoop102', port: 1 }, '{"name":"hadoop102","port":1}'],
      ['server0000000001', null, 'hadoop103'],
    ]);
    expect(describeRegistry(tree, '/missing')).toEqual({ path: '/missing', exists: false, instances: [] });
  });

  it('refuses bad paths with a clear message', () => {
    for (const bad of ['', 'x', '/a/', '/a//b', '/a/./b', undefined, 5]) expect(() => checkPath(bad)).toThrow(ConsoleInputError);
    expect(() => checkPath('/a\u0000b')).toThrow(/invalid path/);
    expect(checkPath('/a/b')).toBe('/a/b');
  });

  it('reads a member\'s srvr answer, and a member that is not serving', () => {
    const text = 'Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.5/3\nReceived: 10\nSent: 9\nConnections: 2\nOutstanding: 0\nZxid: 0x100000004\nMode: leader\nNode count: 7\n';
    expect(parseSrvr(text)).toEqual({ mode: 'leader', zxid: '0x100000004', connections: 2, latency: { min: 0, avg: 0.5, max: 3 }, outstanding: 0, nodeCount: 7 });
    expect(parseSrvr('This ZooKeeper instance is not currently serving requests\n')?.mode).toBe('not serving');
    expect(parseSrvr('')).toBeNull();
  });
});
