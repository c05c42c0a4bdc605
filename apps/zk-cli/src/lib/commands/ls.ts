import { statJson, statLines } from '../format/stat';
import { checkPath, childPath, javaList, keeper, requireArgs, type CommandContext, type CommandSpec } from './command';

/**
 * `ls -R`: the path, then the sorted child paths of each node, recursing child by child after listing
 * them all (the order zkCli prints: /r, /r/b, /r/c, /r/b/d, /r/c/e). An error stops the walk where it is.
 */
export async function listRecursive(ctx: CommandContext, root: string, visit: (path: string) => void): Promise<void> {
  visit(root);
  const walk = async (path: string): Promise<void> => {
    const { children } = await keeper(path, () => ctx.zk.getChildren(path));
    const paths = [...children].sort().map((c) => childPath(path, c));
    paths.forEach(visit);
    for (const p of paths) await walk(p);
  };
  await walk(root);
}

export const lsCommand: CommandSpec = {
  name: 'ls',
  usage: '[-s] [-w] [-R] path',
  options: { s: false, w: false, R: false },
  async run(ctx, parsed) {
    requireArgs(this, parsed, 1);
    let watch = parsed.options.has('w');
    if (parsed.args.length > 1) {
      ctx.err(`'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead.`);
      watch = true;
    }
    const path = parsed.args[0];
    checkPath(path);
    if (parsed.options.has('R')) {
      const paths: string[] = [];
      await listRecursive(ctx, path, (p) => {
        paths.push(p);
        ctx.out(p);
      });
      ctx.json({ path, paths });
      return;
    }
    const { children, stat } = await keeper(path, () => ctx.zk.getChildren(path, watch ? { watch: ctx.watcher } : {}));
    const sorted = [...children].sort();
    ctx.out(javaList(sorted));
    if (parsed.options.has('s')) statLines(stat, ctx.timeZone).forEach((l) => ctx.out(l));
    ctx.json({ path, children: sorted, stat: statJson(stat) });
  },
};
