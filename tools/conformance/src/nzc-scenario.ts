import * as zookeeper from 'node-zookeeper-client';

/**
 * One scenario driven through node-zookeeper-client (a third-party Node client that speaks the pre-3.4
 * handshake without the readOnly byte). Every operation it supports, each watch type and each error code
 * it can produce are logged as plain lines; the same scenario against two servers must log the same lines.
 */
type Zk = zookeeper.Client;
const eventWaitMs = 5000;

function clientFor(connectString: string): Promise<Zk> {
  return new Promise((resolve, reject) => {
    const client = zookeeper.createClient(connectString, { sessionTimeout: 10000, spinDelay: 100, retries: 0 });
    const timer = setTimeout(() => reject(new Error(`node-zookeeper-client could not connect to ${connectString}`)), 10000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

function statLine(stat: zookeeper.Stat | undefined): string {
  if (!stat) return 'no stat';
  const s = stat as unknown as Record<string, Buffer | number>;
  const long = (k: string) => (s[k] as Buffer).readBigInt64BE(0);
  const owner = long('ephemeralOwner');
  return [
    `czxid=${long('czxid')}`,
    `mzxid=${long('mzxid')}`,
    `pzxid=${long('pzxid')}`,
    `version=${s['version']}`,
    `cversion=${s['cversion']}`,
    `aversion=${s['aversion']}`,
    `owner=${owner === 0n ? '0' : 'session'}`,
    `dataLength=${s['dataLength']}`,
    `numChildren=${s['numChildren']}`,
  ].join(' ');
}

function errLine(err: unknown): string {
  const e = err as { getCode?: () => number; name?: string };
  return e && typeof e.getCode === 'function' ? `error ${e.getCode()} ${e.name}` : `error ${String(err)}`;
}

function call<T extends unknown[]>(fn: (cb: (err: unknown, ...rest: T) => void) => void): Promise<[unknown, ...T]> {
  return new Promise((resolve) => fn((err, ...rest) => resolve([err, ...rest] as [unknown, ...T])));
}

function nextEvent(events: string[], label: string): (event: zookeeper.Event) => void {
  return (event) => events.push(`${label}: ${event.getName()} ${event.getPath()}`);
}

async function waitFor(events: string[], count: number): Promise<void> {
  const until = Date.now() + eventWaitMs;
  while (events.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

export async function runNzcScenario(connectString: string): Promise<string[]> {
  const log: string[] = [];
  const events: string[] = [];
  const a = await clientFor(connectString);
  const b = await clientFor(connectString);
  // The typings miss the ACL constants and name the field `perms`; the library sets `permission`.
  const aclConstants = zookeeper.ACL as unknown as Record<'OPEN_ACL_UNSAFE' | 'READ_ACL_UNSAFE', zookeeper.ACL[]>;
  const open = aclConstants.OPEN_ACL_UNSAFE;
  const mode = zookeeper.CreateMode;
  try {
    const create = async (zk: Zk, path: string, data: Buffer | undefined, m: number, acl = open) => {
      const [err, created] = await call<[string]>((cb) => zk.create(path, data as Buffer, acl, m, cb as never));
      log.push(`create ${path} mode=${m} -> ${err ? errLine(err) : created}`);
    };
    const getData = async (zk: Zk, path: string, watcher?: (e: zookeeper.Event) => void) => {
      const [err, data, stat] = await call<[Buffer, zookeeper.Stat]>((cb) =>
        watcher ? zk.getData(path, watcher, cb as never) : zk.getData(path, cb as never),
      );
      log.push(`getData ${path} -> ${err ? errLine(err) : `${data === null || data === undefined ? 'null' : JSON.stringify(data.toString())} ${statLine(stat)}`}`);
    };
    const exists = async (zk: Zk, path: string, watcher?: (e: zookeeper.Event) => void) => {
      const [err, stat] = await call<[zookeeper.Stat]>((cb) => (watcher ? zk.exists(path, watcher, cb as never) : zk.exists(path, cb as never)));
      log.push(`exists ${path} -> ${err ? errLine(err) : stat ? statLine(stat) : 'null'}`);
    };
    const getChildren = async (zk: Zk, path: string, watcher?: (e: zookeeper.Event) => void) => {
      const [err, children, stat] = await call<[string[], zookeeper.Stat]>((cb) =>
        watcher ? zk.getChildren(path, watcher, cb as never) : zk.getChildren(path, cb as never),
      );
      log.push(`getChildren ${path} -> ${err ? errLine(err) : `[${[...children].sort().join(',')}] ${statLine(stat)}`}`);
    };
    const setData = async (zk: Zk, path: string, data: Buffer | null, version: number) => {
      const [err, stat] = await call<[zookeeper.Stat]>((cb) => zk.setData(path, data as Buffer, version, cb as never));
      log.push(`setData ${path} v=${version} -> ${err ? errLine(err) : statLine(stat)}`);
    };
    const remove = async (zk: Zk, path: string, version: number) => {
      const [err] = await call<[]>((cb) => zk.remove(path, version, cb as never));
      log.push(`remove ${path} v=${version} -> ${err ? errLine(err) : 'ok'}`);
    };

    // Create modes, null vs empty data, sequential names.
    await create(a, '/nzc', Buffer.from('root'), mode.PERSISTENT);
    await create(a, '/nzc/empty', Buffer.alloc(0), mode.PERSISTENT);
    await create(a, '/nzc/nodata', undefined, mode.PERSISTENT);
    await create(a, '/nzc/seq-', Buffer.from('s'), mode.PERSISTENT_SEQUENTIAL);
    await create(a, '/nzc/seq-', Buffer.from('s'), mode.PERSISTENT_SEQUENTIAL);
    await create(b, '/nzc/eph', Buffer.from('e'), mode.EPHEMERAL);
    await create(b, '/nzc/ephseq-', Buffer.from('e'), mode.EPHEMERAL_SEQUENTIAL);
    await getData(a, '/nzc');
    await getData(a, '/nzc/empty');
    await getData(a, '/nzc/nodata');
    await getData(a, '/nzc/eph');
    await getChildren(a, '/nzc');
    await exists(a, '/nzc/seq-0000000002');
    await exists(a, '/nzc/missing');

    // Error codes.
    await create(a, '/nzc', Buffer.from('again'), mode.PERSISTENT); // NODEEXISTS
    await create(a, '/nzc/no/parent', undefined, mode.PERSISTENT); // NONODE
    await create(a, '/nzc/eph/child', undefined, mode.PERSISTENT); // NOCHILDRENFOREPHEMERALS
    await setData(a, '/nzc', Buffer.from('x'), 42); // BADVERSION
    await remove(a, '/nzc', -1); // NOTEMPTY
    await remove(a, '/nzc/missing', -1); // NONODE
    await remove(a, '/nzc/empty', 3); // BADVERSION
    await getData(a, '/nzc/missing'); // NONODE
    await remove(a, '/zookeeper', -1); // BADARGUMENTS

    // setData / versions.
    await setData(a, '/nzc', Buffer.from('v1'), 0);
    await setData(a, '/nzc', Buffer.from('v1'), -1);
    await setData(a, '/nzc', Buffer.alloc(0), -1);
    await getData(a, '/nzc');

    // One-shot watches: exists on a missing node (NodeCreated), data (changed, deleted), children.
    await exists(a, '/nzc/later', nextEvent(events, 'exists-watch'));
    await create(b, '/nzc/later', Buffer.from('l'), mode.PERSISTENT);
    await waitFor(events, 1);
    await getData(a, '/nzc/later', nextEvent(events, 'data-watch'));
    await setData(b, '/nzc/later', Buffer.from('l2'), -1);
    await waitFor(events, 2);
    await setData(b, '/nzc/later', Buffer.from('l3'), -1); // one-shot: no second event
    await getData(a, '/nzc/later', nextEvent(events, 'data-watch-2'));
    await remove(b, '/nzc/later', -1);
    await waitFor(events, 3);
    await getChildren(a, '/nzc', nextEvent(events, 'child-watch'));
    await create(b, '/nzc/kid', undefined, mode.PERSISTENT);
    await waitFor(events, 4);

    // ACLs and auth.
    const digest = new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('digest', 'user1:+owfoSBn/am19roBPzR1/MfCblE='));
    await create(a, '/nzc/secret', Buffer.from('s'), mode.PERSISTENT, [digest]);
    await getData(a, '/nzc/secret'); // NOAUTH
    a.addAuthInfo('digest', Buffer.from('user1:12345'));
    await getData(a, '/nzc/secret');
    const [aclErr, acls, aclStat] = await call<[zookeeper.ACL[], zookeeper.Stat]>((cb) => a.getACL('/nzc/secret', cb as never));
    log.push(`getACL /nzc/secret -> ${aclErr ? errLine(aclErr) : acls.map((x) => `${x.id.scheme}:${x.id.id}:${(x as unknown as { permission: number }).permission}`).join(',')} ${statLine(aclStat)}`);
    const [setAclErr, setAclStat] = await call<[zookeeper.Stat]>((cb) =>
      a.setACL('/nzc/secret', aclConstants.READ_ACL_UNSAFE, -1, cb as never),
    );
    log.push(`setACL /nzc/secret -> ${setAclErr ? errLine(setAclErr) : statLine(setAclStat)}`);
    const [badAclErr] = await call<[zookeeper.Stat]>((cb) =>
      a.setACL('/nzc', [new zookeeper.ACL(1, new zookeeper.Id('world', 'nobody'))], -1, cb as never),
    );
    log.push(`setACL invalid -> ${badAclErr ? errLine(badAclErr) : 'ok'}`);
    await create(a, '/nzc/secret/kid', undefined, mode.PERSISTENT); // NOAUTH (read-only ACL)

    // Transactions: success, then an all-or-nothing failure.
    const [txErr, txResults] = await call<[{ type: number; path?: string }[]]>((cb) =>
      a.transaction().create('/nzc/tx', Buffer.from('t')).setData('/nzc/tx', Buffer.from('t2'), 0).check('/nzc/tx', 1).remove('/nzc/kid').commit(cb as never),
    );
    const txLine = (r: { type: number; path?: string; stat?: zookeeper.Stat; err?: number }) =>
      `${r.type}${r.path ? ` ${r.path}` : ''}${r.stat ? ` ${statLine(r.stat)}` : ''}${r.err !== undefined ? ` err=${r.err}` : ''}`;
    log.push(`transaction ok -> ${txErr ? errLine(txErr) : txResults.map(txLine).join('; ')}`);
    const [txErr2, txResults2] = await call<[{ type: number; err?: number }[]]>((cb) =>
      a.transaction().create('/nzc/tx2', Buffer.from('t')).check('/nzc/tx', 5).commit(cb as never),
    );
    log.push(`transaction failed -> ${txErr2 ? errLine(txErr2) : 'no error'} ${(txResults2 ?? []).map(txLine).join('; ')}`);
    await exists(a, '/nzc/tx2');

    // mkdirp, then ephemerals vanish when their session closes, firing the watches of others.
    const [mkErr, mkPath] = await call<[string]>((cb) => a.mkdirp('/nzc/deep/er/path', cb as never));
    log.push(`mkdirp -> ${mkErr ? errLine(mkErr) : mkPath}`);
    await exists(a, '/nzc/eph', nextEvent(events, 'eph-watch'));
    b.close();
    await waitFor(events, 5);
    await getChildren(a, '/nzc');
    await getData(a, '/nzc');
  } finally {
    a.close();
    b.close();
  }
  return [...log, '-- events --', ...events];
}
