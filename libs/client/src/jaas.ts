/**
 * JAAS login configuration files, the format ZooKeeper reads through
 * -Djava.security.auth.login.config: named sections of login-module entries with options.
 *
 *   Server {
 *     org.apache.zookeeper.server.auth.DigestLoginModule required
 *     user_super="adminsecret"
 *     user_bob="bobsecret";
 *   };
 *
 * `//` and `/* *\/` comments; option values quoted or bare. Errors name the file and line. Shared by
 * the node (its Server section) and the clients (a Client section, as the Java client reads it).
 */

/** A JAAS file that cannot be used; the message names the file and, when it can, the line. */
export class JaasError extends Error {}

export interface JaasEntry {
  loginModule: string;
  flag: string;
  options: Map<string, string>;
}

export type JaasConfig = Map<string, JaasEntry[]>;

/** The login module ZooKeeper's DIGEST-MD5 uses on both sides. */
export const digestLoginModule = 'org.apache.zookeeper.server.auth.DigestLoginModule';
const flags = new Set(['required', 'requisite', 'sufficient', 'optional']);

type Token = { kind: 'word' | 'string' | 'punct'; text: string; line: number };

function tokenize(text: string, source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (text.startsWith('//', i) || c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new JaasError(`${source}: unterminated comment (line ${line})`);
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end + 2;
    } else if ('{};='.includes(c)) {
      out.push({ kind: 'punct', text: c, line });
      i++;
    } else if (c === '"') {
      let value = '';
      const start = line;
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        if (text[i] === '\n') line++;
        value += text[i++];
      }
      if (i >= text.length) throw new JaasError(`${source}: unterminated string (line ${start})`);
      i++;
      out.push({ kind: 'string', text: value, line: start });
    } else {
      let word = '';
      while (i < text.length && !/[\s{};="]/.test(text[i])) word += text[i++];
      out.push({ kind: 'word', text: word, line });
    }
  }
  return out;
}

/** Parses a JAAS file's text; `source` names it in errors. */
export function parseJaas(text: string, source: string): JaasConfig {
  const tokens = tokenize(text, source);
  const config: JaasConfig = new Map();
  let p = 0;
  const fail = (what: string): never => {
    const t = tokens[Math.min(p, tokens.length - 1)];
    throw new JaasError(`${source}: ${what}${t ? ` at line ${t.line} (near ${JSON.stringify(t.text)})` : ' at the end of the file'}`);
  };
  const expect = (text: string) => {
    if (tokens[p]?.text !== text || tokens[p]?.kind !== 'punct') fail(`expected '${text}'`);
    p++;
  };
  while (p < tokens.length) {
    const name = tokens[p];
    if (name.kind !== 'word') fail('expected a section name');
    p++;
    expect('{');
    const entries: JaasEntry[] = [];
    while (tokens[p] && !(tokens[p].kind === 'punct' && tokens[p].text === '}')) {
      const module = tokens[p];
      if (module.kind !== 'word') fail('expected a login module class name');
      const flag = tokens[p + 1];
      if (!flag || flag.kind !== 'word' || !flags.has(flag.text.toLowerCase())) {
        p++;
        fail('expected required, requisite, sufficient or optional');
      }
      p += 2;
      const options = new Map<string, string>();
      while (tokens[p] && !(tokens[p].kind === 'punct' && tokens[p].text === ';')) {
        const key = tokens[p];
        if (key.kind !== 'word') fail("expected ';' to end the entry, or an option name");
        p++;
        expect('=');
        const value = tokens[p];
        if (!value || value.kind === 'punct') fail(`expected a value for ${key.text}`);
        options.set(key.text, value.text);
        p++;
      }
      expect(';');
      entries.push({ loginModule: module.text, flag: flag.text.toLowerCase(), options });
    }
    expect('}');
    if (tokens[p]?.kind === 'punct' && tokens[p].text === ';') p++;
    if (config.has(name.text)) {
      p--;
      fail(`section ${name.text} appears twice`);
    }
    config.set(name.text, entries);
  }
  return config;
}

/** The `user_NAME="password"` options of a section's DigestLoginModule entries. */
export function digestUsers(config: JaasConfig, section: string, source: string): Map<string, string> {
  const entries = config.get(section);
  if (!entries) {
    throw new JaasError(`${source}: no ${section} section (found: ${[...config.keys()].join(', ') || 'none'})`);
  }
  const users = new Map<string, string>();
  for (const e of entries) {
    if (e.loginModule !== digestLoginModule) continue;
    for (const [key, value] of e.options) if (key.startsWith('user_') && key.length > 'user_'.length) users.set(key.slice('user_'.length), value);
  }
  if (users.size === 0) {
    throw new JaasError(`${source}: section ${section} has no ${digestLoginModule} entry with user_NAME="password" options`);
  }
  return users;
}

/** The username/password of a section's DigestLoginModule (a JAAS `Client` or `QuorumLearner` section). */
export function digestCredentials(config: JaasConfig, section: string, source: string): { username: string; password: string } {
  const entry = config.get(section)?.find((e) => e.loginModule === digestLoginModule);
  const username = entry?.options.get('username');
  const password = entry?.options.get('password');
  if (!entry || username === undefined || password === undefined) {
    throw new JaasError(`${source}: section ${section} needs a ${digestLoginModule} entry with username and password`);
  }
  return { username, password };
}

/**
 * `-Dkey=value` system properties of Java option variables in `env` (JVMFLAGS then SERVER_JVMFLAGS for
 * zkServer.sh, JVMFLAGS then CLIENT_JVMFLAGS for zkCli.sh), `zookeeper.` dropped from the keys.
 */
export function jvmProperties(env: Record<string, string | undefined>, names: readonly string[]): { key: string; value: string; where: string }[] {
  const out: { key: string; value: string; where: string }[] = [];
  for (const name of names) {
    const text = env[name];
    if (!text) continue;
    for (const m of text.matchAll(/(?:^|\s)-D([^=\s]+)=("([^"]*)"|'([^']*)'|\S*)/g)) {
      const key = m[1].startsWith('zookeeper.') ? m[1].slice('zookeeper.'.length) : m[1];
      out.push({ key, value: m[3] ?? m[4] ?? m[2], where: name });
    }
  }
  return out;
}
