/**
 * The arguments a user gave `nx run <project>:<target>`, exactly as typed. Nx splits an `--args`
 * value at its commas (its schema allows an array) and re-joins everything with spaces for `sh -c`,
 * so `--args="-server h1:1,h2:2"` reaches the program as `-server h1:1 h2:2`. The Nx process that
 * runs the task still holds the original words: it names itself in NX_INVOCATION_ANCESTOR_PIDS, and
 * /proc/<pid>/cmdline has its argv. From those words this keeps what belongs to the program:
 * the words of each `--args` value (split as a shell would), everything after `--`, and any other
 * word that is not one of Nx's own options.
 * Returns undefined when the words cannot be read (not Linux, not run by `nx run`/`nx <target>`).
 */
'use strict';
const fs = require('node:fs');

/** Nx's own options of `nx run` (with or without a value), which Nx keeps for itself. */
const nxFlagsWithValue = new Set(['--configuration', '-c', '--output-style', '--outputStyle', '--runner', '--parallel', '--graph', '--tuiAutoExit', '--tui-auto-exit', '--exclude']);
const nxFlags = new Set([
  '--verbose', '--skip-nx-cache', '--skipNxCache', '--skip-remote-cache', '--skipRemoteCache', '--exclude-task-dependencies',
  '--excludeTaskDependencies', '--tui', '--no-tui', '--nx-bail', '--nxBail', '--nx-ignore-cycles', '--nxIgnoreCycles',
  '--skip-sync', '--skipSync', '--batch', '--prod', '--no-dte', '--no-agents', '--no-cloud',
]);

/** Splits `text` into words as a POSIX shell would for quotes and backslashes (no expansions). */
function shellWords(text) {
  const words = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unmatched ' in --args: ${text}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      i++;
      for (; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) i++;
        word += text[i];
      }
      if (i >= text.length) throw new Error(`unmatched " in --args: ${text}`);
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The program's words among Nx's argv (`['run', 'zk-cli:serve', '--args=...']`, without node and script). */
function programArgs(nxArgv, project, target) {
  // The task is named by `run <project>:<target>[:<configuration>]` or `<target> <project>`, possibly after Nx's own flags.
  const runAt = nxArgv.findIndex((w, i) => w === 'run' && typeof nxArgv[i + 1] === 'string' && nxArgv[i + 1].split(':').slice(0, 2).join(':') === `${project}:${target}`);
  const targetAt = nxArgv.findIndex((w, i) => w === target && nxArgv[i + 1] === project);
  const at = runAt >= 0 ? runAt : targetAt;
  if (at < 0 || nxArgv.slice(0, at).some((w) => !w.startsWith('-'))) return undefined;
  const rest = nxArgv.slice(at + 2);
  const out = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i];
    if (word === '--') {
      out.push(...rest.slice(i + 1));
      break;
    }
    if (word.startsWith('--args=')) out.push(...shellWords(word.slice('--args='.length)));
    else if (word === '--args' && i + 1 < rest.length) out.push(...shellWords(rest[++i]));
    else if (nxFlags.has(word.split('=')[0])) continue;
    else if (nxFlagsWithValue.has(word.split('=')[0])) {
      if (!word.includes('=')) i++;
    } else out.push(word);
  }
  return out;
}

function nxInvocationArgs(env = process.env) {
  const project = env.NX_TASK_TARGET_PROJECT;
  const target = env.NX_TASK_TARGET_TARGET;
  const pids = (env.NX_INVOCATION_ANCESTOR_PIDS || '').split(',').filter(Boolean);
  if (!project || !target || pids.length === 0) return undefined;
  let argv;
  try {
    argv = fs.readFileSync(`/proc/${pids[pids.length - 1]}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
  if (argv[argv.length - 1] === '') argv.pop();
  // node .../nx run zk-cli:serve ... ; the script may be nx's bin or .bin/nx.
  const script = argv.findIndex((a, i) => i > 0 && /(^|\/)nx(\.js)?$/.test(a));
  if (script < 0) return undefined;
  return programArgs(argv.slice(script + 1), project, target);
}

module.exports = { nxInvocationArgs, programArgs, shellWords };
