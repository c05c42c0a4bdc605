import { ErrorCode } from '@coord/protocol';
import { keeperMessage } from '../format/errors';
import { statJson, statLines } from '../format/stat';
import { checkPath, CliError, ExitCode, keeper, requireArgs, type CommandSpec } from './command';

export const statCommand: CommandSpec = {
  name: 'stat',
  usage: '[-w] path',
  options: { w: false },
  async run(ctx, parsed) {
    requireArgs(this, parsed, 1);
    let watch = parsed.options.has('w');
    if (parsed.args.length > 1) {
      ctx.err(`'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.`);
      watch = true;
    }
    const path = parsed.args[0];
    checkPath(path);
    // exists (opcode 3): a watch is left even on a missing node, which then fires NodeCreated.
    const stat = await keeper(path, () => ctx.zk.exists(path, watch ? { watch: ctx.watcher } : {}));
    if (stat === null) throw new CliError(keeperMessage(ErrorCode.NONODE, path), ExitCode.commandError, 'NONODE');
    statLines(stat, ctx.timeZone).forEach((l) => ctx.out(l));
    ctx.json({ path, stat: statJson(stat) });
  },
};
