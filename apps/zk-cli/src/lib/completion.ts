/**
 * Tab completion: the first word completes to a command name, a word starting with `/` to the children of
 * its parent znode (looked up when asked), anything else to nothing.
 */
export type ChildLister = (parent: string) => Promise<string[]>;

export interface Completion {
  /** Full replacements for `word`. */
  candidates: string[];
  /** The text being completed (the last word of the line). */
  word: string;
}

export async function complete(line: string, commandNames: readonly string[], listChildren: ChildLister): Promise<Completion> {
  const word = /(\S*)$/.exec(line)![1];
  const isFirstWord = line.trimStart() === word;
  if (isFirstWord) return { candidates: commandNames.filter((c) => c.startsWith(word)), word };
  if (!word.startsWith('/')) return { candidates: [], word };
  const slash = word.lastIndexOf('/');
  const parent = slash === 0 ? '/' : word.slice(0, slash);
  const prefix = word.slice(slash + 1);
  const children = await listChildren(parent);
  const base = parent === '/' ? '/' : `${parent}/`;
  return { candidates: children.filter((c) => c.startsWith(prefix)).sort().map((c) => base + c), word };
}
