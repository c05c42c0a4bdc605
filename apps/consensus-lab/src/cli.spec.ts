import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkXml, scenarios } from '@coord/consensus-lab';
import { CliIo, exitViolation, runCli } from './cli';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consensus-lab-cli-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, string>();
  const fake: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    writeFile: (f, t) => files.set(f, t),
    tmpdir: () => dir,
  };
  return { fake, out, err, files };
}

describe('consensus-lab CLI', () => {
  it('paxos livelock: prints the message sequence and writes the diagram to the path it prints', () => {
    const { fake, out, files } = io();
    expect(runCli(['paxos', 'livelock'], fake)).toBe(0);
    expect(out[0]).toBe('Paxos livelock: P1 and P5 keep preempting each other');
    expect(out).toContainEqual(expect.stringMatching(/^t=1ms\s+P1\s+->\s+A1\s+prepare\(1\.1\)/));
    expect(out.some((l) => l.includes('LIVELOCK'))).toBe(true);
    const file = path.join(dir, 'consensus-lab', 'paxos-livelock.svg');
    expect(out[out.length - 1]).toBe(`diagram: ${file}`);
    expect(checkXml(files.get(file)!).root).toBe('svg');
  });

  it('--list shows every scenario with a one-line description', () => {
    const { fake, out } = io();
    expect(runCli(['--list'], fake)).toBe(0);
    expect(out).toHaveLength(scenarios.length);
    for (const s of scenarios) expect(out.some((l) => l.startsWith(`${s.group} ${s.name} `) && l.includes(s.summary))).toBe(true);
  });

  it('--seed changes seeded runs and names the file after the seed; --out .html writes a page', () => {
    const a = io();
    const b = io();
    runCli(['paxos', 'random', '--seed', '4', '--quiet'], a.fake);
    runCli(['paxos', 'random', '--seed=5', '--quiet'], b.fake);
    expect([...a.files.keys()]).toEqual([path.join(dir, 'consensus-lab', 'paxos-random-seed4.svg')]);
    expect([...a.files.values()][0]).not.toEqual([...b.files.values()][0]);
    const c = io();
    const page = path.join(dir, 'four.html');
    expect(runCli(['byzantine', 'four-generals', '--out', page], c.fake)).toBe(0);
    expect(checkXml(c.files.get(page)!).root).toBe('html');
  });

  it('checkers print a verdict and write no diagram', () => {
    const { fake, out, files } = io();
    expect(runCli(['paxos', 'safety', '--count', '50'], fake)).toBe(0);
    expect(out).toContainEqual('safety: ok, never two different values chosen');
    expect(files.size).toBe(0);
    const broken = io();
    expect(runCli(['paxos', 'safety', '--count', '50', '--broken'], broken.fake)).toBe(exitViolation);
    expect(broken.out).toContainEqual(expect.stringMatching(/^safety VIOLATED in \d+ runs, e\.g\. seeds \d+/));
    expect(broken.err).toContainEqual(`paxos safety: a guaranteed property was VIOLATED (see the summary); exit ${exitViolation}`);
    const byz = io();
    // Three generals failing is the lesson, not a violation: OM(1) guarantees nothing there.
    expect(runCli(['byzantine', 'check', '--count', '100'], byz.fake)).toBe(0);
    expect(byz.out.some((l) => /^4 generals, 1 traitor, OM\(1\): 0 of 100 runs/.test(l))).toBe(true);
    expect(byz.out.some((l) => /^3 generals, 1 traitor, OM\(1\): [1-9]\d* of 100 runs/.test(l))).toBe(true);
  });

  it('--all writes one well-formed diagram per traced scenario', () => {
    const { fake, files } = io();
    const outDir = path.join(dir, 'all');
    expect(runCli(['--all', '--out', outDir, '--count', '20'], fake)).toBe(0);
    expect(files.size).toBe(scenarios.length - 2);
    for (const text of files.values()) expect(checkXml(text).ok).toBe(true);
  });

  it('rejects unknown scenarios and bad numbers with exit code 2', () => {
    const a = io();
    expect(runCli(['paxos', 'nope'], a.fake)).toBe(2);
    expect(a.err[0]).toBe('unknown scenario: paxos nope');
    const b = io();
    expect(runCli(['paxos', 'random', '--seed', 'x'], b.fake)).toBe(2);
    expect(b.err[0]).toBe("consensus-lab: option '--seed <n>' argument 'x' is invalid. expected an integer from 0 to 4294967295");
    const typo = io();
    expect(runCli(['paxos', 'random', '--sed', '3'], typo.fake)).toBe(2);
    expect(typo.err[0]).toBe("consensus-lab: unknown option '--sed' (Did you mean --seed?)");
    const help = io();
    expect(runCli(['--help'], help.fake)).toBe(0);
    expect(help.out.join('\n')).toMatch(/--seed <n>\s+seed of the seeded scenarios \(default: 1\)/);
    expect(help.files.size).toBe(0);
    const c = io();
    expect(runCli(['byzantine', 'random', '--generals', '1'], c.fake)).toBe(2);
    expect(runCli(['byzantine', 'random', '--generals', '3', '--traitors', '5'], c.fake)).toBe(2);
    expect(c.err).toContainEqual('byzantine random: 5 traitors among 3 generals');
    const d = io();
    expect(runCli(['paxos', 'random', '--proposers', '9'], d.fake)).toBe(2);
    expect(d.err[0]).toBe('paxos random: proposerCount must be 1..5');
    expect(runCli([], io().fake)).toBe(2);
  });

  it('main.ts runs as the nx serve target does and writes a real file', () => {
    const root = path.resolve(__dirname, '../../..');
    const file = path.join(dir, 'case3.svg');
    const stdout = execFileSync(process.execPath, ['-r', '@swc-node/register', 'apps/consensus-lab/src/main.ts', 'paxos', 'case3', '--out', file], {
      cwd: root,
      env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json' },
      encoding: 'utf8',
    });
    expect(stdout).toContain('chosen: Y');
    expect(stdout).toContain(`diagram: ${file}`);
    expect(checkXml(fs.readFileSync(file, 'utf8')).ok).toBe(true);
  });

  it('the process exits 1 when the safety checker finds a violation (--broken), 0 when it finds none', () => {
    const root = path.resolve(__dirname, '../../..');
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['-r', '@swc-node/register', 'apps/consensus-lab/src/main.ts', ...args], {
        cwd: root,
        env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json' },
        encoding: 'utf8',
      });
    const broken = run(['paxos', 'safety', '--count', '30', '--broken']);
    expect(broken.stdout).toMatch(/safety VIOLATED in [1-9]\d* runs/);
    expect(broken.status).toBe(1);
    const fine = run(['paxos', 'safety', '--count', '30']);
    expect(fine.stdout).toContain('safety: ok');
    expect(fine.status).toBe(0);
  });

  it('the livelock verdict is the run\'s, with its bound; no summary line is put in a participant\'s mouth', () => {
    const { fake, out } = io();
    runCli(['paxos', 'livelock'], fake);
    expect(out).toContainEqual(expect.stringMatching(/^t=40ms\s+!!  LIVELOCK within the 40 ms bound: no value chosen/));
    expect(out.filter((l) => /[A-Z]\d?: (LIVELOCK|IC1)/.test(l))).toEqual([]);
    const byz = io();
    runCli(['byzantine', 'three-generals'], byz.fake);
    expect(byz.out).toContainEqual(expect.stringMatching(/^round 2\s+!!  IC1 \(loyal lieutenants agree\): holds; IC2/));
  });
});
