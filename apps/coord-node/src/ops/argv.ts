/**
 * Command-line flags for coord-node. Accepted forms: `--port=12345`, `--port 12345`, and several
 * flags inside one argv element (`"--port=12345 --data-dir=/x"`), which is what
 * `nx run coord-node:serve --args="..."` can hand us depending on how the shell and Nx quote it.
 * An element is split only before a `--`, so `--data-dir=/a b` keeps its space. `--args=...`
 * is unwrapped. camelCase and snake_case spellings (`--dataDir`, `--data_dir`) are accepted too.
 */
import { ConfigError } from './config-error';

/** Flags that take a value, by canonical (kebab-case) name. */
export const valueFlags = ['port', 'host', 'data-dir', 'config', 'tick-time', 'log-level', 'server-id'] as const;
export type FlagName = (typeof valueFlags)[number];

export interface ParsedFlags {
  values: Partial<Record<FlagName, string>>;
  warnings: string[];
}

function canonicalName(raw: string): string {
  return raw
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

function stripQuotes(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0]) return t.slice(1, -1);
  return t;
}

/** Splits argv elements into pieces, each a flag (possibly with its value) or a bare word. */
function pieces(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const element of argv) {
    const trimmed = element.trim();
    if (trimmed === '') continue;
    // `--args=...` wraps the rest of the element (possibly quoted), so unwrap it before splitting.
    const wrapped = /^--args[= ]([\s\S]*)$/.exec(trimmed);
    if (wrapped) out.push(...pieces([stripQuotes(wrapped[1])]));
    else out.push(...trimmed.split(/\s+(?=--)/));
  }
  return out;
}

function isFlagName(name: string): name is FlagName {
  return (valueFlags as readonly string[]).includes(name);
}

export function parseFlags(argv: readonly string[]): ParsedFlags {
  const values: Partial<Record<FlagName, string>> = {};
  const warnings: string[] = [];
  const list = pieces(argv);
  for (let i = 0; i < list.length; i++) {
    const piece = list[i];
    if (!piece.startsWith('--')) {
      warnings.push(`ignoring unexpected argument ${JSON.stringify(piece)}`);
      continue;
    }
    const body = piece.slice(2);
    let rawName: string;
    let value: string | undefined;
    const eq = body.indexOf('=');
    const space = body.search(/\s/);
    if (eq >= 0 && (space < 0 || eq < space)) {
      rawName = body.slice(0, eq);
      value = body.slice(eq + 1);
    } else if (space >= 0) {
      rawName = body.slice(0, space);
      value = body.slice(space + 1);
    } else {
      rawName = body;
      if (i + 1 < list.length && !list[i + 1].startsWith('--')) value = list[++i];
    }
    const name = canonicalName(rawName);
    if (!isFlagName(name)) {
      warnings.push(`ignoring unknown flag --${rawName}`);
      continue;
    }
    if (value === undefined) throw new ConfigError(`--${name}`, '', 'the flag needs a value');
    const cleaned = stripQuotes(value);
    if (cleaned === '') throw new ConfigError(`--${name}`, value, 'the flag needs a non-empty value');
    values[name] = cleaned;
  }
  return { values, warnings };
}
