/**
 * ZooKeeper's path rules (PathUtils.validatePath), returning the message ZooKeeper puts in its
 * IllegalArgumentException so callers can print the same text.
 */

const slash = 0x2f;
const dot = 0x2e;

/** True for the UTF-16 units ZooKeeper refuses in a path (control, surrogate, private-use, specials). */
function isForbiddenUnit(c: number): boolean {
  return (
    (c > 0x0000 && c <= 0x001f) ||
    (c >= 0x007f && c <= 0x009f) ||
    (c >= 0xd800 && c <= 0xf8ff) ||
    (c >= 0xfff0 && c <= 0xffff)
  );
}

/** True if the segment at `i` (whose last char is at `i`) is "." or ".." as a whole segment. */
function endsSegment(path: string, i: number): boolean {
  return i + 1 === path.length || path.charCodeAt(i + 1) === slash;
}

/**
 * undefined if `path` is a valid znode path, else ZooKeeper's error message, e.g.
 * `Path must start with / character` or `Invalid path string "/a//b" caused by empty node name specified @3`.
 * For sequential creates ZooKeeper validates `path + "1"`; pass `isSequential` to do the same.
 * Indexes (@n) count UTF-16 units, as Java does.
 */
export function isValidPath(path: string | null | undefined, isSequential = false): string | undefined {
  if (path === null || path === undefined) return 'Path cannot be null';
  if (isSequential) path = path + '1';
  if (path.length === 0) return 'Path length must be > 0';
  if (path.charCodeAt(0) !== slash) return 'Path must start with / character';
  if (path.length === 1) return undefined;
  if (path.charCodeAt(path.length - 1) === slash) return 'Path must not end with / character';
  const reason = invalidReason(path);
  return reason === undefined ? undefined : `Invalid path string "${path}" caused by ${reason}`;
}

function invalidReason(path: string): string | undefined {
  let last = slash;
  for (let i = 1; i < path.length; last = path.charCodeAt(i), i++) {
    const c = path.charCodeAt(i);
    if (c === 0) return `null character not allowed @${i}`;
    if (c === slash && last === slash) return `empty node name specified @${i}`;
    if (c === dot && last === dot) {
      if (path.charCodeAt(i - 2) === slash && endsSegment(path, i)) return `relative paths not allowed @${i}`;
    } else if (c === dot) {
      if (path.charCodeAt(i - 1) === slash && endsSegment(path, i)) return `relative paths not allowed @${i}`;
    } else if (isForbiddenUnit(c)) {
      return `invalid character @${i}`;
    }
  }
  return undefined;
}
