import { serverVersionDefault } from '@coord/server';
import { statJson, statLines } from '../format/stat';
import { zkCodeOf } from '../format/errors';
import { checkPath, CliError, ExitCode, javaList, keeper, requireArgs, type CommandSpec } from './command';

/**
 * What `version` reports: zkCli's format, naming this implementation. The same text the node reports in
 * `srvr` (one constant), so the shell and the server never disagree about which version this is.
 */
export const cliVersion = serverVersionDefault;

export const syncCommand: CommandSpec = {
  name: 'sync',
  usage: 'path',
  options: {},
  async run(ctx, parsed) {
    requireArgs(this, parsed, 1);
    const path = parsed.args[0];
    checkPath(path);
    try {
      await ctx.zk.sync(path);
    } catch (err) {
      const rc = zkCodeOf(err);
      if (rc === undefined) throw err;
      throw new CliError(`Sync has failed. rc=${rc}`, ExitCode.commandError, 'SYNC');
    }
    ctx.out('Sync is OK');
    ctx.json({ path });
  },
};

export const getEphemeralsCommand: CommandSpec = {
  name: 'getEphemerals',
  usage: 'path',
  options: {},
  async run(ctx, parsed) {
    const path = parsed.args[0] ?? '/';
    checkPath(path);
    const paths = await keeper(path, () => ctx.zk.getEphemerals(path));
    ctx.out(javaList(paths));
    ctx.json({ path, ephemerals: paths });
  },
};

export const getAllChildrenNumberCommand: CommandSpec = {
  name: 'getAllChildrenNumber',
  usage: 'path',
  options: {},
  async run(ctx, parsed) {
    requireArgs(this, parsed, 1);
    const path = parsed.args[0];
    checkPath(path);
    const count = await keeper(path, () => ctx.zk.getAllChildrenNumber(path));
    ctx.out(String(count));
    ctx.json({ path, count });
  },
};

export const versionCommand: CommandSpec = {
  name: 'version',
  usage: '',
  options: {},
  async run(ctx) {
    ctx.out(`ZooKeeper CLI version: ${cliVersion}`);
    ctx.json({ version: cliVersion });
  },
};

/** The dynamic configuration znode (empty on a standalone server). */
const configPath = '/zookeeper/config';

export const configCommand: CommandSpec = {
  name: 'config',
  usage: '[-c] [-w] [-s]',
  options: { c: false, w: false, s: false },
  async run(ctx, parsed) {
    const watch = parsed.options.has('w') ? { watch: ctx.watcher } : {};
    const { data, stat } = await keeper(configPath, () => ctx.zk.getData(configPath, watch));
    const text = data === null ? '' : data.toString('utf8');
    ctx.out(text);
    if (parsed.options.has('s')) statLines(stat, ctx.timeZone).forEach((l) => ctx.out(l));
    ctx.json({ config: text, stat: statJson(stat) });
  },
};
