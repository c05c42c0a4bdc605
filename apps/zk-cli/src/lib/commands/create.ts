import { ErrorCode } from '@coord/protocol';
import type { CliCreateMode } from '../client-port';
import { openAclUnsafe, parseAcl } from '../format/acl';
import { keeperMessage, zkCodeOf } from '../format/errors';
import { asCliError, checkPath, CliError, ExitCode, requireArgs, type CommandSpec } from './command';

const longPattern = /^[+-]?\d+$/;

interface Flags {
  ephemeral: boolean;
  sequential: boolean;
  container: boolean;
  ttl?: string;
}

/** The create mode for the flags, refusing the combinations zkCli refuses (same messages, same order). */
export function createModeFor(flags: Flags): { mode: CliCreateMode; ttlMs?: number } {
  const { ephemeral, sequential, container, ttl } = flags;
  if (container && (ephemeral || sequential)) {
    throw new CliError('-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.', ExitCode.usage, 'USAGE');
  }
  let ttlMs: number | undefined;
  if (ttl !== undefined) {
    if (!longPattern.test(ttl)) throw new CliError('-t argument must be a long value', ExitCode.usage, 'USAGE');
    ttlMs = Number(ttl);
    if (ephemeral) throw new CliError('TTLs cannot be used with Ephemeral znodes', ExitCode.usage, 'USAGE');
    if (container) throw new CliError('TTLs cannot be used with Container znodes', ExitCode.usage, 'USAGE');
    return { mode: sequential ? 'persistent-sequential-ttl' : 'persistent-ttl', ttlMs };
  }
  if (container) return { mode: 'container' };
  if (ephemeral) return { mode: sequential ? 'ephemeral-sequential' : 'ephemeral' };
  return { mode: sequential ? 'persistent-sequential' : 'persistent' };
}

export const createCommand: CommandSpec = {
  name: 'create',
  usage: '[-s] [-e] [-c] [-t ttl] path [data] [acl]',
  options: { s: false, e: false, c: false, t: true },
  async run(ctx, parsed) {
    requireArgs(this, parsed, 1);
    const o = parsed.options;
    const { mode, ttlMs } = createModeFor({ ephemeral: o.has('e'), sequential: o.has('s'), container: o.has('c'), ttl: o.get('t') });
    const [path, dataText, aclText] = parsed.args;
    // Data omitted means null data, not empty data (get prints `null`).
    const data = dataText === undefined ? null : Buffer.from(dataText, 'utf8');
    let acl = openAclUnsafe;
    if (aclText !== undefined) {
      const parsedAcl = parseAcl(aclText);
      parsedAcl.warnings.forEach((w) => ctx.err(w));
      acl = parsedAcl.acl;
    }
    checkPath(path, mode.includes('sequential'));
    if (acl.length === 0) {
      // The Java client refuses an empty ACL before sending; CreateCommand prints the bare message first.
      throw new CliError(keeperMessage(ErrorCode.INVALIDACL, null), ExitCode.commandError, 'INVALIDACL', ['KeeperErrorCode = InvalidACL']);
    }
    let created: string;
    try {
      created = (await ctx.zk.create(path, data, { mode, acl, ttlMs })).path;
    } catch (err) {
      const code = zkCodeOf(err);
      if (code === ErrorCode.EPHEMERALONLOCALSESSION) {
        throw new CliError('Unable to create ephemeral node on a local session', ExitCode.commandError, 'EPHEMERALONLOCALSESSION');
      }
      const cli = asCliError(err, path);
      if (code === ErrorCode.INVALIDACL && cli instanceof CliError) {
        throw new CliError(cli.message, cli.exitCode, cli.code, [`KeeperErrorCode = InvalidACL for ${path}`]);
      }
      throw cli;
    }
    // zkCli writes this to stderr, so stdout stays the data of reads.
    ctx.err(`Created ${created}`);
    ctx.json({ path: created });
  },
};
