/**
 * A parser for java.util.Properties text, the syntax of zoo.cfg: `key=value`, `key: value` or
 * `key value`; `#` and `!` comment lines; a trailing odd backslash continues the line; `\t \n \r \f`,
 * `\uXXXX` and `\<char>` escapes. ZooKeeper trims values afterwards, and so does loadNodeConfig.
 * Entries keep file order and their 1-based line number so errors can point at the line.
 */

export interface PropertyEntry {
  key: string;
  value: string;
  line: number;
}

const whitespace = new Set([' ', '\t', '\f']);

/** True when the line ends in an odd number of backslashes, i.e. continues on the next line. */
function continues(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function unescape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\' || i === text.length - 1) {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === 't') out += '\t';
    else if (next === 'n') out += '\n';
    else if (next === 'r') out += '\r';
    else if (next === 'f') out += '\f';
    else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += next;
  }
  return out;
}

/** Splits one logical line into raw key and value at the first unescaped `=`, `:` or whitespace. */
function splitKeyValue(logical: string): { key: string; value: string } {
  let i = 0;
  while (i < logical.length) {
    const c = logical[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '=' || c === ':' || whitespace.has(c)) break;
    i++;
  }
  const key = logical.slice(0, i);
  let j = i;
  while (j < logical.length && whitespace.has(logical[j])) j++;
  if (j < logical.length && (logical[j] === '=' || logical[j] === ':')) j++;
  while (j < logical.length && whitespace.has(logical[j])) j++;
  return { key, value: logical.slice(j) };
}

export function parseJavaProperties(text: string): PropertyEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let logical = lines[i].replace(/^[ \t\f]+/, '');
    if (logical === '' || logical[0] === '#' || logical[0] === '!') continue;
    while (continues(logical) && i + 1 < lines.length) {
      logical = logical.slice(0, -1) + lines[++i].replace(/^[ \t\f]+/, '');
    }
    if (continues(logical)) logical = logical.slice(0, -1);
    const { key, value } = splitKeyValue(logical);
    entries.push({ key: unescape(key), value: unescape(value), line: startLine });
  }
  return entries;
}
