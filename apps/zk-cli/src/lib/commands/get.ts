import { statJson, statLines } from '../format/stat';
import { checkPath, keeper, requireArgs, type CommandSpec } from './command';

const hexBytesPerLine = 16;

/** `-x`: offset, hex bytes and printable ASCII, 16 bytes a line. */
export function hexDump(data: Buffer): string[] {
  const lines: string[] = [];
  for (let off = 0; off < data.length; off += hexBytesPerLine) {
    const chunk = data.subarray(off, off + hexBytesPerLine);
    const hex = [...chunk].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...chunk].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex.padEnd(hexBytesPerLine * 3 - 1)}  |${ascii}|`);
  }
  return lines;
}

export function dataLines(data: Buffer | null, encoding: 'utf8' | 'base64' | 'hex'): string[] {
  if (data === null) return ['null'];
  if (encoding === 'base64') return [data.toString('base64')];
  if (encoding === 'hex') return data.length === 0 ? [''] : hexDump(data);
  return [data.toString('utf8')];
}

export const getCommand: CommandSpec = {
  name: 'get',
  usage: '[-s] [-w] path',
  options: { s: false, w: false, b: false, x: false },
  async run(ctx, parsed) {
    requireArgs(this, parsed, 1);
    let watch = parsed.options.has('w');
    if (parsed.args.length > 1) {
      ctx.err(`'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.`);
      watch = true;
    }
    const path = parsed.args[0];
    checkPath(path);
    const { data, stat } = await keeper(path, () => ctx.zk.getData(path, watch ? { watch: ctx.watcher } : {}));
    const encoding = parsed.options.has('b') ? 'base64' : parsed.options.has('x') ? 'hex' : 'utf8';
    dataLines(data, encoding).forEach((l) => ctx.out(l));
    if (parsed.options.has('s')) statLines(stat, ctx.timeZone).forEach((l) => ctx.out(l));
    ctx.json({
      path,
      data: data === null ? null : data.toString('utf8'),
      dataBase64: data === null ? null : data.toString('base64'),
      stat: statJson(stat),
    });
  },
};
