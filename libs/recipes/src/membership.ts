/**
 * Group membership in ZooKeeper's plain layout: every member is an ephemeral sequential node
 * `<basePath>/<prefix><10-digit sequence>` (e.g. /servers/server0000000003) whose data describes it, and
 * the group is the children of basePath in registration order. This is the layout of the classic
 * "distributed servers online/offline" example, so plain ZooKeeper programs (and the seed's Java servers,
 * which write just a host name) read and write the same group. For Curator's service layout
 * (`<basePath>/<name>/<id>`), see discovery.ts.
 */
import { isZkError, type ClientState } from '@coord/client';
import { sortBySequence } from './decisions';
import { deleteQuietly, ensurePath, type RecipeClient } from './contend';

/** The node name prefix members register with unless told otherwise. */
export const memberPrefixDefault = 'server';

/** What a member writes into its node (JSON). */
export interface Member {
  name: string;
  host?: string;
  port?: number;
  /** The member's node, e.g. /servers/server0000000003 (filled in when read back). */
  path?: string;
  [extra: string]: unknown;
}

/**
 * Registers one member. The node lives as long as the session: kill -9 removes it at session expiry.
 * After an expiry it registers again on the new session, so a member that survives a network partition
 * comes back by itself.
 */
export class GroupMember {
  private nodePath: string | null = null;
  private closed = false;
  private readonly onState = (s: ClientState) => {
    if (s === 'lost') this.nodePath = null;
    if (s === 'connected' && this.nodePath === null && !this.closed) void this.register().catch(() => undefined);
  };

  constructor(
    private readonly client: RecipeClient,
    readonly basePath: string,
    readonly member: Member,
    private readonly prefix = memberPrefixDefault,
  ) {}

  /** The current node, or null while not registered (before register(), after a session loss). */
  get path(): string | null {
    return this.nodePath;
  }

  async register(): Promise<string> {
    this.client.off('state', this.onState).on('state', this.onState);
    await ensurePath(this.client, this.basePath);
    // Not retried: an ephemeral sequential create whose reply was lost would leave a second node.
    const { path } = await this.client.create(`${this.basePath}/${this.prefix}`, JSON.stringify(this.member), { mode: 'ephemeral-sequential' });
    this.nodePath = path;
    return path;
  }

  /** Deletes the node and stops registering again. */
  async deregister(): Promise<void> {
    this.closed = true;
    this.client.off('state', this.onState);
    const path = this.nodePath;
    this.nodePath = null;
    if (path) await deleteQuietly(this.client, path);
  }
}

/** Reads a member node's data: our JSON, or a plain host name as the seed's Java servers write. */
export function parseMember(path: string, data: Buffer | null): Member {
  const text = data?.toString('utf8') ?? '';
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as Member).name === 'string') return { ...(parsed as Member), path };
  } catch {
    // Not JSON: fall through to the plain-name form.
  }
  return { name: text || path.slice(path.lastIndexOf('/') + 1), path };
}

/** Reads the members named by `children` of basePath, in registration order; nodes that vanish meanwhile are skipped. */
export async function readMembers(client: RecipeClient, basePath: string, children: readonly string[]): Promise<Member[]> {
  const out: Member[] = [];
  for (const child of sortBySequence(children)) {
    const path = `${basePath}/${child}`;
    try {
      const { data } = await client.getData(path);
      out.push(parseMember(path, data));
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
    }
  }
  return out;
}

/**
 * The group, re-read on every change of basePath's children (the watch is re-armed each time and
 * survives reconnects). Yields the current members first.
 */
export async function* watchMembers(client: RecipeClient, basePath: string, opts: { signal?: AbortSignal } = {}): AsyncGenerator<Member[]> {
  await ensurePath(client, basePath, opts.signal);
  for await (const snapshot of client.watchChildren(basePath, opts)) {
    yield await readMembers(client, basePath, snapshot.children);
  }
}
