import { statJson, statLines } from '../format/stat';
import { checkPath, keeper, parseIntOption, requireArgs, type CommandSpec } from './command';

export const setCommand: CommandSpec = {
  name: 'set',
  usage: '[-s] [-v version] path data',
  options: { s: false, v: true, b: false },
  async run(ctx, parsed) {
    requireArgs(this, parsed, 2);
    const [path, text] = parsed.args;
    const version = parsed.options.has('v') ? parseIntOption(parsed.options.get('v')!, 'v') : -1;
    // -b: the argument is base64 (binary data from scripts).
    const data = parsed.options.has('b') ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
    checkPath(path);
    const stat = await keeper(path, () => ctx.zk.setData(path, data, { version }));
    if (parsed.options.has('s')) statLines(stat, ctx.timeZone).forEach((l) => ctx.out(l));
    ctx.json({ path, stat: statJson(stat) });
  },
};
