/**
 * Quotas live in ordinary znodes: `/zookeeper/quota<path>/zookeeper_limits` holds the limits the user set
 * and `.../zookeeper_stats` the counts the server maintains. These commands read and write those nodes
 * the way zkCli 3.8 does, with its messages.
 */
import { ErrorCode, isValidPath } from '@coord/protocol';
import type { CliClient } from '../client-port';
import { zkCodeOf } from '../format/errors';
import { formatStatsTrack, parseStatsTrack, type StatsTrack } from '../format/stats-track';
import { checkPath, childPath, CliError, ExitCode, keeper, requireArgs, type CommandSpec } from './command';
import type { ParsedOptions } from '../options';

export const quotaRoot = '/zookeeper/quota';
const limitNode = 'zookeeper_limits';
const statNode = 'zookeeper_stats';

/** The option letters, in zkCli's order, with the StatsTrack field each one sets. */
const quotaOptions: [string, keyof StatsTrack, string][] = [
  ['n', 'count', 'num soft quota'],
  ['b', 'bytes', 'bytes soft quota'],
  ['N', 'countHardLimit', 'num hard quota'],
  ['B', 'byteHardLimit', 'bytes hard quota'],
];

const quotaOptionSpec = { n: true, b: true, N: true, B: true };

/** commons-cli's OptionGroup: at most one of -n -b -N -B (exactly one when `required`). */
function chosenOption(parsed: ParsedOptions, required: boolean): [string, keyof StatsTrack] | undefined {
  const given = [...parsed.options.keys()];
  if (given.length > 1) {
    throw new CliError(
      `org.apache.commons.cli.AlreadySelectedException: The option '${given[1]}' was specified but an option from this group has already been selected: '${given[0]}'`,
      ExitCode.usage,
      'USAGE',
    );
  }
  if (given.length === 0) {
    if (!required) return undefined;
    const list = quotaOptions.map(([l, , d]) => `-${l} ${d}`).join(', ');
    throw new CliError(`org.apache.commons.cli.MissingOptionException: Missing required option: [${list}]`, ExitCode.usage, 'USAGE');
  }
  const entry = quotaOptions.find(([l]) => l === given[0])!;
  return [entry[0], entry[1]];
}

const quotaNodeOf = (path: string) => quotaRoot + path;

async function getOrNull(zk: CliClient, path: string): Promise<Buffer | null | undefined> {
  try {
    return (await zk.getData(path)).data;
  } catch (err) {
    if (zkCodeOf(err) === ErrorCode.NONODE) return undefined;
    throw err;
  }
}

export const listquotaCommand: CommandSpec = {
  name: 'listquota',
  usage: 'path',
  options: {},
  async run(ctx, parsed) {
    requireArgs(this, parsed, 1);
    const path = parsed.args[0];
    const limitsPath = `${quotaNodeOf(path)}/${limitNode}`;
    ctx.err(`absolute path is ${limitsPath}`);
    const limits = await keeper(path, () => getOrNull(ctx.zk, limitsPath));
    if (limits === undefined) throw new CliError(`quota for ${path} does not exist.`, ExitCode.commandError, 'NONODE');
    const limitsText = formatStatsTrack(parseStatsTrack(limits?.toString('utf8') ?? null));
    ctx.out(`Output quota for ${path} ${limitsText}`);
    const stats = await keeper(path, () => getOrNull(ctx.zk, `${quotaNodeOf(path)}/${statNode}`));
    const statsText = stats === undefined ? undefined : formatStatsTrack(parseStatsTrack(stats?.toString('utf8') ?? null));
    if (statsText !== undefined) ctx.out(`Output stat for ${path} ${statsText}`);
    ctx.json({ path, quota: parseStatsTrack(limits?.toString('utf8') ?? null), stats: statsText && parseStatsTrack(statsText) });
  },
};

/** Refuses a quota inside another quota's subtree or above one (zkCli allows no nesting). */
async function checkNesting(zk: CliClient, path: string): Promise<void> {
  const segments = path.split('/').filter(Boolean);
  for (let i = 1; i < segments.length; i++) {
    const prefix = '/' + segments.slice(0, i).join('/');
    const children = await childrenOrNull(zk, quotaNodeOf(prefix));
    if (children === null) break;
    if (children.includes(limitNode)) throw new CliError(`${path} has a parent ${prefix} which has a quota`, ExitCode.commandError, 'QUOTA');
  }
  const walk = async (node: string): Promise<void> => {
    const children = await childrenOrNull(zk, node);
    if (children === null) return;
    if (node !== quotaNodeOf(path) && children.includes(limitNode)) {
      throw new CliError(`${path} has a child ${node.slice(quotaRoot.length)} which has a quota`, ExitCode.commandError, 'QUOTA');
    }
    for (const c of children.filter((c) => c !== limitNode && c !== statNode)) await walk(childPath(node, c));
  };
  await walk(quotaNodeOf(path));
}

async function childrenOrNull(zk: CliClient, path: string): Promise<string[] | null> {
  try {
    return (await zk.getChildren(path)).children;
  } catch (err) {
    if (zkCodeOf(err) === ErrorCode.NONODE) return null;
    throw err;
  }
}

async function createIgnoringExists(zk: CliClient, path: string, data: Buffer | null): Promise<boolean> {
  try {
    await zk.create(path, data, { mode: 'persistent' });
    return true;
  } catch (err) {
    if (zkCodeOf(err) === ErrorCode.NODEEXISTS) return false;
    throw err;
  }
}

export const setquotaCommand: CommandSpec = {
  name: 'setquota',
  usage: '-n|-b|-N|-B val path',
  options: quotaOptionSpec,
  async run(ctx, parsed) {
    const [letter, field] = chosenOption(parsed, true)!;
    requireArgs(this, parsed, 1);
    const path = parsed.args[0];
    if (path.startsWith(quotaRoot)) throw new CliError(`cannot set a quota under the path: ${quotaRoot}`, ExitCode.commandError, 'QUOTA');
    const raw = parsed.options.get(letter)!;
    if (!/^[+-]?\d+$/.test(raw)) throw new CliError('NumberFormatException happens when parsing the option value', ExitCode.usage, 'USAGE');
    const value = Number(raw);
    const isCount = field === 'count' || field === 'countHardLimit';
    if (isCount && value <= 0) throw new CliError('the num quota must be greater than zero', ExitCode.usage, 'USAGE');
    if (!isCount && value < 0) throw new CliError('the bytes quota must be greater than or equal to zero', ExitCode.usage, 'USAGE');
    checkPath(path);
    const quotaProblem = isValidPath(quotaNodeOf(path));
    if (quotaProblem !== undefined) throw new CliError(quotaProblem, ExitCode.commandError, 'INVALIDPATH');
    if ((await keeper(path, () => ctx.zk.exists(path))) === null) {
      throw new CliError(`${path} does not exist.`, ExitCode.commandError, 'NONODE');
    }
    await keeper(path, () => checkNesting(ctx.zk, path));
    const { limits, stats } = await keeper(path, () => writeLimits(ctx.zk, path, field, value));
    if (limits.count > -1 && stats.count > limits.count) ctx.out(`[Warning]: the count quota you create is less than the existing count:${stats.count}`);
    if (limits.bytes > -1 && stats.bytes > limits.bytes) ctx.out(`[Warning]: the bytes quota you create is less than the existing bytes:${stats.bytes}`);
    ctx.json({ path, quota: limits });
  },
};

/**
 * Creates the quota nodes, or updates one field of existing limits. Returns the limits now stored and the
 * server's stats as zkCli compares them: read after a create, but before an update (the update itself
 * changes the byte count of a quota on /zookeeper).
 */
async function writeLimits(zk: CliClient, path: string, field: keyof StatsTrack, value: number): Promise<{ limits: StatsTrack; stats: StatsTrack }> {
  let node = quotaRoot;
  for (const segment of path.split('/').filter(Boolean)) {
    node = `${node}/${segment}`;
    await createIgnoringExists(zk, node, null);
  }
  const limitsPath = `${node}/${limitNode}`;
  const readStats = async () => parseStatsTrack((await getOrNull(zk, `${node}/${statNode}`))?.toString('utf8') ?? null);
  const fresh: StatsTrack = { count: -1, bytes: -1, countHardLimit: -1, byteHardLimit: -1, [field]: value };
  if (await createIgnoringExists(zk, limitsPath, Buffer.from(formatStatsTrack(fresh)))) {
    await createIgnoringExists(zk, `${node}/${statNode}`, Buffer.from(formatStatsTrack({ count: 0, bytes: 0 })));
    return { limits: fresh, stats: await readStats() };
  }
  const current = parseStatsTrack((await zk.getData(limitsPath)).data?.toString('utf8') ?? null);
  const updated = { ...current, [field]: value };
  const stats = await readStats();
  await zk.setData(limitsPath, Buffer.from(formatStatsTrack(updated)), { version: -1 });
  return { limits: updated, stats };
}

export const delquotaCommand: CommandSpec = {
  name: 'delquota',
  usage: '[-n|-b|-N|-B] path',
  options: { n: false, b: false, N: false, B: false },
  async run(ctx, parsed) {
    const chosen = chosenOption(parsed, false);
    requireArgs(this, parsed, 1);
    const path = parsed.args[0];
    checkPath(path);
    const node = quotaNodeOf(path);
    const limitsPath = `${node}/${limitNode}`;
    const limits = await keeper(path, () => getOrNull(ctx.zk, limitsPath));
    if (limits === undefined) {
      // zkCli prints this on stdout and carries on.
      ctx.out(`Quota does not exist for ${path}`);
      ctx.json({ path, removed: false });
      return;
    }
    if (chosen) {
      const updated = { ...parseStatsTrack(limits?.toString('utf8') ?? null), [chosen[1]]: -1 };
      await keeper(path, () => ctx.zk.setData(limitsPath, Buffer.from(formatStatsTrack(updated)), { version: -1 }));
      ctx.json({ path, quota: updated });
      return;
    }
    await keeper(path, () => removeQuotaNodes(ctx.zk, node));
    ctx.json({ path, removed: true });
  },
};

/** Deletes the limits and stats nodes, then every ancestor under the quota root left without children. */
async function removeQuotaNodes(zk: CliClient, node: string): Promise<void> {
  for (const leaf of [limitNode, statNode]) {
    await zk.delete(`${node}/${leaf}`).catch((err) => {
      if (zkCodeOf(err) !== ErrorCode.NONODE) throw err;
    });
  }
  for (let p = node; p.length > quotaRoot.length; p = p.slice(0, p.lastIndexOf('/'))) {
    const children = await childrenOrNull(zk, p);
    if (children === null) continue;
    if (children.length > 0) break;
    await zk.delete(p);
  }
}
