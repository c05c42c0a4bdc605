/**
 * A small promise wrapper over node-zookeeper-client for the durability tests (the crash test only
 * needs create / setData / delete / multi / reads, and must see failures as values).
 */
import * as zookeeper from 'node-zookeeper-client';

const connectDeadlineMs = 10_000;

export class ZkOpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function call<T>(fn: (cb: (err: unknown, result?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    fn((err, result) => {
      if (!err) return resolve(result as T);
      const e = err as { getCode?: () => number; message?: string };
      reject(new ZkOpError(typeof e.getCode === 'function' ? e.getCode() : 0, String(e.message ?? err)));
    }),
  );
}

export type ScriptedOp = { op: 'create'; path: string; data: string } | { op: 'setData'; path: string; data: string } | { op: 'delete'; path: string };

export class TestZk {
  private constructor(readonly client: zookeeper.Client) {}

  static connect(connectString: string, sessionTimeout = 30_000): Promise<TestZk> {
    return new Promise((resolve, reject) => {
      const client = zookeeper.createClient(connectString, { sessionTimeout, spinDelay: 100, retries: 0 });
      const timer = setTimeout(() => {
        client.close();
        reject(new Error(`could not connect to ${connectString}`));
      }, connectDeadlineMs);
      client.once('connected', () => {
        clearTimeout(timer);
        resolve(new TestZk(client));
      });
      client.connect();
    });
  }

  get sessionId(): string {
    return this.client.getSessionId().toString('hex');
  }

  create(path: string, data: string | null, mode = zookeeper.CreateMode.PERSISTENT): Promise<string> {
    return call((cb) => this.client.create(path, data === null ? (null as unknown as Buffer) : Buffer.from(data), mode, cb as never));
  }

  setData(path: string, data: string): Promise<void> {
    return call((cb) => this.client.setData(path, Buffer.from(data), -1, cb as never));
  }

  remove(path: string): Promise<void> {
    return call((cb) => this.client.remove(path, -1, cb as never));
  }

  async getData(path: string): Promise<string | null> {
    const data = await call<Buffer>((cb) => this.client.getData(path, cb as never));
    return data === null || data === undefined ? null : data.toString('utf8');
  }

  getChildren(path: string): Promise<string[]> {
    return call<string[]>((cb) => this.client.getChildren(path, cb as never));
  }

  async exists(path: string): Promise<boolean> {
    const stat = await call<zookeeper.Stat | null>((cb) => this.client.exists(path, cb as never));
    return !!stat;
  }

  multi(ops: ScriptedOp[]): Promise<void> {
    let t = this.client.transaction();
    for (const o of ops) {
      if (o.op === 'create') t = t.create(o.path, Buffer.from(o.data));
      else if (o.op === 'setData') t = t.setData(o.path, Buffer.from(o.data), -1);
      else t = t.remove(o.path, -1);
    }
    return call((cb) => t.commit(cb as never));
  }

  close(): void {
    this.client.close();
  }
}
