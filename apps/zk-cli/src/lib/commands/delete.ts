import { checkPath, keeper, parseIntOption, requireArgs, type CommandSpec } from './command';

export const deleteCommand: CommandSpec = {
  name: 'delete',
  usage: '[-v version] path',
  options: { v: true },
  async run(ctx, parsed) {
    requireArgs(this, parsed, 1);
    const path = parsed.args[0];
    let version = parsed.options.has('v') ? parseIntOption(parsed.options.get('v')!, 'v') : -1;
    if (parsed.args.length > 1) {
      ctx.err(`'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.`);
      version = parseIntOption(parsed.args[1], 'v');
    }
    checkPath(path);
    await keeper(path, () => ctx.zk.delete(path, { version }));
    ctx.json({ path });
  },
};
