/**
 * ZooKeeper path rules (PathUtils.validatePath) and small path helpers.
 * Paths are plain strings; the root is '/'.
 */

/** Returns an error message when the path breaks ZooKeeper's rules, or null when it is valid. */
export function pathError(path: string): string | null {
  if (path.length === 0) return 'Path length must be > 0';
  if (path.charCodeAt(0) !== 0x2f) return 'Path must start with / character';
  if (path.length === 1) return null;
  if (path.charCodeAt(path.length - 1) === 0x2f) return 'Path must not end with / character';
  let segmentStart = 1;
  for (let i = 1; i <= path.length; i++) {
    const c = i < path.length ? path.charCodeAt(i) : 0x2f;
    if (c === 0x2f) {
      const len = i - segmentStart;
      if (len === 0) return `empty node name specified @${i}`;
      if (len === 1 && path.charCodeAt(segmentStart) === 0x2e) return `relative paths not allowed @${i}`;
      if (len === 2 && path.charCodeAt(segmentStart) === 0x2e && path.charCodeAt(segmentStart + 1) === 0x2e) {
        return `relative paths not allowed @${i}`;
      }
      segmentStart = i + 1;
      continue;
    }
    if (
      c === 0 ||
      (c > 0 && c < 0x20) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      (c >= 0xfff0 && c <= 0xffff)
    ) {
      return `invalid character @${i}`;
    }
  }
  return null;
}

export function isValidPath(path: string): boolean {
  return pathError(path) === null;
}

/** Parent of an absolute path; the parent of '/a' is '/'. Callers never pass '/'. */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.substring(0, slash);
}

/** Last segment of an absolute path. */
export function nameOf(path: string): string {
  return path.substring(path.lastIndexOf('/') + 1);
}

export function childPath(parent: string, name: string): string {
  return parent === '/' ? '/' + name : parent + '/' + name;
}
