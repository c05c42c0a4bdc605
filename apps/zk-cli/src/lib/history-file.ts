/** The REPL's history file (~/.coordinode_zkcli_history, or ZKCLI_HISTORY): one command a line, oldest first. */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Lines kept in the file and offered by the up arrow. */
export const historyLinesMax = 1000;

export function historyFilePath(env: Record<string, string | undefined>): string {
  return env['ZKCLI_HISTORY'] ?? join(homedir(), '.coordinode_zkcli_history');
}

/** Most recent first, as readline's `history` option wants it. */
export function loadHistory(file: string): string[] {
  try {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    return lines.slice(-historyLinesMax).reverse();
  } catch {
    return [];
  }
}

export function appendHistory(file: string, line: string): void {
  try {
    appendFileSync(file, line + '\n');
  } catch {
    // A read-only home must not break the shell; history is a convenience.
  }
}

/** Rewrites the file to its last historyLinesMax lines so it does not grow forever. */
export function trimHistory(file: string): void {
  const lines = loadHistory(file);
  if (lines.length < historyLinesMax) return;
  try {
    writeFileSync(file, [...lines].reverse().join('\n') + '\n');
  } catch {
    // See appendHistory.
  }
}
