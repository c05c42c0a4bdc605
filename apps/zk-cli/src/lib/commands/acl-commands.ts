import { aclJson, aclLines, parseAcl } from '../format/acl';
import { statJson, statLines } from '../format/stat';
import { checkPath, keeper, parseIntOption, requireArgs, type CommandSpec } from './command';
import { listSubtreeBreadthFirst } from './subtree';

export const getAclCommand: CommandSpec = {
  name: 'getAcl',
  usage: '[-s] path',
  options: { s: false },
  async run(ctx, parsed) {
    requireArgs(this, parsed, 1);
    const path = parsed.args[0];
    checkPath(path);
    const { acl, stat } = await keeper(path, () => ctx.zk.getACL(path));
    acl.forEach((entry) => aclLines(entry).forEach((l) => ctx.out(l)));
    if (parsed.options.has('s')) statLines(stat, ctx.timeZone).forEach((l) => ctx.out(l));
    ctx.json({ path, acl: acl.map(aclJson), stat: statJson(stat) });
  },
};

export const setAclCommand: CommandSpec = {
  name: 'setAcl',
  usage: '[-s] [-v version] [-R] path acl',
  options: { s: false, v: true, R: false },
  async run(ctx, parsed) {
    requireArgs(this, parsed, 2);
    const [path, aclText] = parsed.args;
    const version = parsed.options.has('v') ? parseIntOption(parsed.options.get('v')!, 'v') : -1;
    const { acl, warnings } = parseAcl(aclText);
    warnings.forEach((w) => ctx.err(w));
    checkPath(path);
    // An empty ACL is refused by the Java client before sending, without a path (`Acl is not valid : null`).
    const errorPath = acl.length === 0 ? null : path;
    if (parsed.options.has('R')) {
      const tree = await listSubtreeBreadthFirst(ctx.zk, path);
      for (const p of tree) await keeper(acl.length === 0 ? null : p, () => ctx.zk.setACL(p, acl, { version }));
      ctx.json({ path, nodes: tree.length });
      return;
    }
    const stat = await keeper(errorPath, () => ctx.zk.setACL(path, acl, { version }));
    if (parsed.options.has('s')) statLines(stat, ctx.timeZone).forEach((l) => ctx.out(l));
    ctx.json({ path, stat: statJson(stat) });
  },
};

export const addauthCommand: CommandSpec = {
  name: 'addauth',
  usage: 'scheme auth',
  options: {},
  async run(ctx, parsed) {
    // zkCli sends a null credential when auth is missing and the server then closes the session;
    // requiring it keeps the session alive.
    requireArgs(this, parsed, 2);
    const [scheme, auth] = parsed.args;
    await keeper(null, () => ctx.zk.addAuth(scheme, auth));
    ctx.json({ scheme });
  },
};

export const whoamiCommand: CommandSpec = {
  name: 'whoami',
  usage: '',
  options: {},
  async run(ctx) {
    const ids = await keeper(null, () => ctx.zk.whoAmI());
    ctx.out('Auth scheme: User');
    ids.forEach((id) => ctx.out(`${id.authScheme}: ${id.user}`));
    ctx.json({ clientInfo: ids.map((id) => ({ authScheme: id.authScheme, user: id.user })) });
  },
};
