// The consensus-lab command line: pick a scenario, print its messages step by step, write its
// sequence diagram. I/O is passed in so tests can run it against a temp dir and capture the output.
import * as path from 'node:path';
import { checkerSeedCountDefault, findScenario, narrate, renderHtml, renderSvg, Scenario, scenarios } from '@coord/consensus-lab';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  writeFile(file: string, text: string): void;
  tmpdir(): string;
}

interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

const usage = [
  'usage: consensus-lab <group> <scenario> [--seed N] [--out FILE.svg|FILE.html] [--quiet]',
  '       consensus-lab --list',
  '       consensus-lab --all [--out DIR]          run every scenario, write every diagram',
  'flags: --count N (checkers), --generals N --m N --traitors N (byzantine random), --proposers N (paxos random/safety),',
  '       --broken (paxos random/safety: proposers ignore accepted values, to see safety fail)',
  'nx:    npx nx run consensus-lab:serve --args="paxos livelock"',
  'exit:  0 every property the algorithm guarantees held; 1 one was violated (e.g. paxos safety --broken); 2 bad arguments',
];

/** Exit code when a run breaks a property the algorithm guarantees (two values chosen, OM(m) failing where it must not). */
export const exitViolation = 1;
export const exitUsage = 2;

const valueFlags = new Set(['seed', 'out', 'count', 'generals', 'm', 'traitors', 'proposers']);

function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (arg.trim() !== '') positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) flags.set(name, inline);
    else if (valueFlags.has(name) && i + 1 < argv.length) flags.set(name, argv[++i]);
    else flags.set(name, true);
  }
  return { positional, flags };
}

function intFlag(args: Args, name: string, fallback: number | undefined, io: CliIo): number | undefined | 'bad' {
  const raw = args.flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw === true || !Number.isInteger(value) || value < 0) {
    io.err(`--${name} needs a non-negative integer, got ${raw === true ? 'nothing' : raw}`);
    return 'bad';
  }
  return value;
}

function listScenarios(io: CliIo, group?: string): void {
  const shown = scenarios.filter((s) => group === undefined || s.group === group);
  const width = Math.max(...shown.map((s) => `${s.group} ${s.name}`.length)) + 2;
  for (const s of shown) {
    const id = `${s.group} ${s.name}`;
    io.out(`${id}${' '.repeat(width - id.length)}${s.summary}${s.seeded ? '  [--seed]' : ''}`);
  }
}

function defaultFile(s: Scenario, seed: number, io: CliIo, broken: boolean, dir?: string): string {
  const base = `${s.group}-${s.name}${s.seeded ? `-seed${seed}` : ''}${broken ? '-broken' : ''}.svg`;
  return path.join(dir ?? path.join(io.tmpdir(), 'consensus-lab'), base);
}

function runOne(s: Scenario, args: Args, io: CliIo, options: { quiet: boolean; file?: string; dir?: string }): number {
  const seed = intFlag(args, 'seed', 1, io);
  const count = intFlag(args, 'count', checkerSeedCountDefault, io);
  const generals = intFlag(args, 'generals', undefined, io);
  const m = intFlag(args, 'm', undefined, io);
  const traitors = intFlag(args, 'traitors', undefined, io);
  const proposers = intFlag(args, 'proposers', undefined, io);
  if ([seed, count, generals, m, traitors, proposers].includes('bad')) return 2;
  let result;
  try {
    result = s.run({
      seed: seed as number,
      count: count as number,
      generals: generals as number | undefined,
      m: m as number | undefined,
      traitors: traitors as number | undefined,
      broken: args.flags.has('broken'),
      proposers: proposers as number | undefined,
    });
  } catch (e) {
    if (e instanceof RangeError) {
      io.err(`${s.group} ${s.name}: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const narration = result.trace ? narrate(result.trace) : [];
  if (!options.quiet) narration.forEach((line) => io.out(line));
  if (!options.quiet || !result.trace) io.out('');
  result.summary.forEach((line) => io.out(options.quiet ? `  ${line}` : line));
  const code = result.violated ? exitViolation : 0;
  if (result.violated) io.err(`${s.group} ${s.name}: a guaranteed property was VIOLATED (see the summary); exit ${exitViolation}`);
  if (!result.trace) return code;
  const file = options.file ?? defaultFile(s, seed as number, io, args.flags.has('broken'), options.dir);
  const html = file.toLowerCase().endsWith('.html');
  const text = html ? renderHtml(result.trace, narration, { summary: result.summary }) : renderSvg(result.trace, { summary: result.summary });
  io.writeFile(file, text);
  io.out(`diagram: ${file}`);
  return code;
}

export function runCli(argv: readonly string[], io: CliIo): number {
  const args = parseArgs(argv);
  if (args.flags.has('help')) {
    usage.forEach((line) => io.out(line));
    return 0;
  }
  if (args.flags.has('list')) {
    listScenarios(io, args.positional[0]);
    return 0;
  }
  const out = args.flags.get('out');
  if (out === true) {
    io.err('--out needs a file name');
    return 2;
  }
  if (args.flags.has('all')) {
    let worst = 0;
    for (const s of scenarios) {
      io.out(`${s.group} ${s.name}`);
      const code = runOne(s, args, io, { quiet: true, dir: out });
      if (code === exitUsage) return code;
      worst = Math.max(worst, code);
    }
    return worst;
  }
  const [group, name] = args.positional;
  const scenario = group && name ? findScenario(group, name) : undefined;
  if (!scenario) {
    if (group || name) io.err(`unknown scenario: ${[group, name].filter(Boolean).join(' ')}`);
    usage.forEach((line) => io.err(line));
    io.err('scenarios:');
    listScenarios({ ...io, out: io.err }, scenarios.some((s) => s.group === group) && !name ? group : undefined);
    return exitUsage;
  }
  return runOne(scenario, args, io, { quiet: args.flags.has('quiet'), file: out });
}
