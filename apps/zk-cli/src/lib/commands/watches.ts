import type { CliWatcherType } from '../client-port';
import { checkPath, keeper, requireArgs, usageError, type CommandSpec } from './command';

const addWatchModes: Record<string, 'persistent' | 'persistent-recursive'> = {
  PERSISTENT: 'persistent',
  PERSISTENT_RECURSIVE: 'persistent-recursive',
};

export const addWatchCommand: CommandSpec = {
  name: 'addWatch',
  usage: '[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE',
  options: { m: true },
  async run(ctx, parsed) {
    requireArgs(this, parsed, 1);
    const modeName = parsed.options.get('m') ?? 'PERSISTENT_RECURSIVE';
    const mode = addWatchModes[modeName];
    if (mode === undefined) throw usageError(this);
    const path = parsed.args[0];
    checkPath(path);
    // A missing node is fine: the watch fires NodeCreated when it appears.
    await keeper(path, () => ctx.zk.addWatch(path, mode, ctx.watcher));
    ctx.json({ path, mode: modeName });
  },
};

/** removewatches' type flags; the last one given wins, `any` when none is. */
const watcherTypeFlags: [string, CliWatcherType][] = [
  ['c', 'children'],
  ['d', 'data'],
  ['a', 'any'],
  ['p', 'persistent'],
  ['r', 'persistent-recursive'],
];

export const removewatchesCommand: CommandSpec = {
  name: 'removewatches',
  usage: 'path [-c|-d|-a] [-l]',
  options: { c: false, d: false, a: false, p: false, r: false, l: false },
  async run(ctx, parsed) {
    requireArgs(this, parsed, 1);
    const path = parsed.args[0];
    const chosen = watcherTypeFlags.filter(([flag]) => parsed.options.has(flag));
    if (chosen.length > 1) throw usageError(this);
    const watcherType = chosen.length === 1 ? chosen[0][1] : 'any';
    checkPath(path);
    await keeper(path, () => ctx.zk.removeWatches(path, watcherType, { local: parsed.options.has('l') }));
    ctx.json({ path, watcherType });
  },
};
