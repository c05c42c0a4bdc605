// The consensus-lab command line: pick a scenario, print its messages step by step, write its
// sequence diagram. I/O is passed in so tests can run it against a temp dir and capture the output.
import * as path from 'node:path';
import { findScenario, narrate, renderHtml, renderSvg, Scenario, scenarios } from '@coord/consensus-lab';
import { labProgram, parseLabArgs, type LabArgs } from './flags';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  writeFile(file: string, text: string): void;
  tmpdir(): string;
}

/** Exit code when a run breaks a property the algorithm guarantees (two values chosen, OM(m) failing where it must not). */
export const exitViolation = 1;
export const exitUsage = 2;

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

function runOne(s: Scenario, args: LabArgs, io: CliIo, options: { quiet: boolean; file?: string; dir?: string }): number {
  let result;
  try {
    result = s.run({ seed: args.seed, count: args.count, generals: args.generals, m: args.m, traitors: args.traitors, broken: args.broken, proposers: args.proposers });
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
  const file = options.file ?? defaultFile(s, args.seed, io, args.broken, options.dir);
  const html = file.toLowerCase().endsWith('.html');
  const text = html ? renderHtml(result.trace, narration, { summary: result.summary }) : renderSvg(result.trace, { summary: result.summary });
  io.writeFile(file, text);
  io.out(`diagram: ${file}`);
  return code;
}

export function runCli(argv: readonly string[], io: CliIo): number {
  const parsed = parseLabArgs(argv);
  if ('help' in parsed) {
    parsed.help.trimEnd().split('\n').forEach((line) => io.out(line));
    return 0;
  }
  if ('error' in parsed) {
    io.err(`consensus-lab: ${parsed.error}`);
    io.err('Run consensus-lab --help for the options.');
    return exitUsage;
  }
  const args = parsed.args;
  if (args.list) {
    listScenarios(io, args.positional[0]);
    return 0;
  }
  if (args.all) {
    let worst = 0;
    for (const s of scenarios) {
      io.out(`${s.group} ${s.name}`);
      const code = runOne(s, args, io, { quiet: true, dir: args.out });
      if (code === exitUsage) return code;
      worst = Math.max(worst, code);
    }
    return worst;
  }
  const [group, name] = args.positional;
  const scenario = group && name ? findScenario(group, name) : undefined;
  if (!scenario) {
    if (group || name) io.err(`unknown scenario: ${[group, name].filter(Boolean).join(' ')}`);
    labProgram().helpInformation().trimEnd().split('\n').forEach((line) => io.err(line));
    io.err('scenarios:');
    listScenarios({ ...io, out: io.err }, scenarios.some((s) => s.group === group) && !name ? group : undefined);
    return exitUsage;
  }
  return runOne(scenario, args, io, { quiet: args.quiet, file: args.out });
}
