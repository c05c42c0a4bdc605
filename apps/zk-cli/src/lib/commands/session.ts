import { CliError, ExitCode, type CommandSpec } from './command';

export const closeCommand: CommandSpec = {
  name: 'close',
  usage: '',
  options: {},
  async run(ctx) {
    await ctx.shell.closeSession();
    ctx.json({ closed: true });
  },
};

export const connectCommand: CommandSpec = {
  name: 'connect',
  usage: 'host:port',
  options: {},
  local: true,
  async run(ctx, parsed) {
    await ctx.shell.connect(parsed.args[0]);
    ctx.json({ connecting: true });
  },
};

export const quitCommand: CommandSpec = {
  name: 'quit',
  usage: '',
  options: {},
  local: true,
  async run(ctx) {
    await ctx.shell.quit();
  },
};

export const historyCommand: CommandSpec = {
  name: 'history',
  usage: '',
  options: {},
  local: true,
  async run(ctx) {
    const lines = ctx.shell.historyLines();
    lines.forEach((l) => ctx.out(l));
    ctx.json({ history: lines });
  },
};

const cmdnoPattern = /^(0x[0-9a-f]+|#[0-9a-f]+|[+-]?\d+)$/i;

/** Integer.decode: decimal, 0x/# hex or 0-led octal. */
function decodeInt(text: string): number | undefined {
  if (!cmdnoPattern.test(text)) return undefined;
  if (/^#/.test(text)) return parseInt(text.slice(1), 16);
  if (/^[+-]?0[0-7]+$/.test(text)) return parseInt(text, 8);
  return Number(text);
}

export const redoCommand: CommandSpec = {
  name: 'redo',
  usage: 'cmdno',
  options: {},
  local: true,
  async run(ctx, parsed) {
    // Without a number zkCli does nothing.
    if (parsed.args.length === 0) return;
    const index = decodeInt(parsed.args[0]);
    if (index === undefined) throw new CliError('Command index out of range', ExitCode.usage, 'USAGE');
    await ctx.shell.redo(index);
  },
};

export const printwatchesCommand: CommandSpec = {
  name: 'printwatches',
  usage: 'on|off',
  options: {},
  local: true,
  async run(ctx, parsed) {
    if (parsed.args.length === 0) {
      ctx.out(`printwatches is ${ctx.shell.printWatches ? 'on' : 'off'}`);
    } else {
      // Anything but "on" turns printing off, as in zkCli.
      ctx.shell.printWatches = parsed.args[0] === 'on';
    }
    ctx.json({ printwatches: ctx.shell.printWatches });
  },
};
