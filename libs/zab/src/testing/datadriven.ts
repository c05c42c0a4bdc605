// A tiny datadriven runner in the manner of etcd's: a file is a header paragraph (lines starting with
// `#`) followed by blocks of `command args` / `----` / expected output, separated by blank lines.
// With UPDATE=1 the runner rewrites the expected output; reviewers read the diff.

import { readFileSync, writeFileSync } from 'node:fs';

export interface Block {
  readonly command: string;
  readonly expected: string;
  readonly line: number;
}

export interface ParsedScript {
  readonly header: string;
  readonly blocks: readonly Block[];
}

export function parseScript(text: string): ParsedScript {
  const lines = text.split('\n');
  const header: string[] = [];
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length && (lines[i].startsWith('#') || lines[i].trim() === '')) header.push(lines[i++]);
  while (i < lines.length) {
    if (lines[i].trim() === '') {
      i++;
      continue;
    }
    const start = i;
    const command = lines[i++];
    if (lines[i] !== '----') throw new Error(`line ${i + 1}: expected ---- after "${command}"`);
    i++;
    const out: string[] = [];
    while (i < lines.length && lines[i].trim() !== '') out.push(lines[i++]);
    blocks.push({ command, expected: out.join('\n'), line: start + 1 });
  }
  return { header: header.join('\n').trimEnd(), blocks };
}

export function renderScript(header: string, blocks: readonly { command: string; actual: string }[]): string {
  const body = blocks.map((b) => `${b.command}\n----\n${b.actual === '' ? 'ok' : b.actual}`).join('\n\n');
  return `${header}\n\n${body}\n`;
}

/** Runs every block through `run`; returns the mismatches (and rewrites the file when `update`). */
export function runScriptFile(path: string, run: (command: string) => string, update: boolean): string[] {
  const parsed = parseScript(readFileSync(path, 'utf8'));
  const results = parsed.blocks.map((b) => ({ ...b, actual: run(b.command) || 'ok' }));
  if (update) {
    writeFileSync(path, renderScript(parsed.header, results));
    return [];
  }
  return results
    .filter((r) => r.actual !== r.expected)
    .map((r) => `${path}:${r.line} ${r.command}\n--- expected\n${r.expected}\n--- actual\n${r.actual}`);
}
