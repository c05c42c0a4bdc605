/**
 * ZooKeeper path rules (PathUtils.validatePath) and small path helpers.
 * Paths are plain strings; the root is '/'.
 */
import { isValidPath } from '@coord/protocol';

/**
 * ZooKeeper's message when the path breaks its rules, or null when it is valid: the rules live once,
 * in @coord/protocol's `isValidPath` (what clients check before sending), and the server applies the same.
 */
export function pathError(path: string): string | null {
  return isValidPath(path) ?? null;
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
