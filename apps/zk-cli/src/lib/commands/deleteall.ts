import { checkPath, CliError, ExitCode, parseIntOption, requireArgs, type CommandSpec } from './command';
import { deleteBatches, listSubtreeBreadthFirst } from './subtree';

/** zkCli deletes in multi batches of this many deletes unless `-b` says otherwise. */
export const deleteBatchSizeDefault = 1000;

export const deleteallCommand: CommandSpec = {
  name: 'deleteall',
  usage: 'path [-b batch size]',
  options: { b: true },
  async run(ctx, parsed) {
    requireArgs(this, parsed, 1);
    const path = parsed.args[0];
    const batchSize = parsed.options.has('b') ? parseIntOption(parsed.options.get('b')!, 'b') : deleteBatchSizeDefault;
    if (batchSize <= 0) throw new CliError('-b argument must be an int value', ExitCode.usage, 'USAGE');
    checkPath(path);
    const tree = await listSubtreeBreadthFirst(ctx.zk, path);
    for (const batch of deleteBatches(tree, batchSize)) {
      const tx = ctx.zk.transaction();
      batch.forEach((p) => tx.delete(p, -1));
      try {
        await tx.commit();
      } catch {
        // zkCli reports a partial failure without naming the node; the exit code says it failed.
        throw new CliError('Failed to delete some node(s) in the subtree!', ExitCode.commandError, 'DELETEALL');
      }
    }
    ctx.json({ path, deleted: tree.length });
  },
};
