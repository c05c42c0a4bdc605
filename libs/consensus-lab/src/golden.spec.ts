// Scripted scenarios against reviewed traces. Each golden file starts with a paragraph (lines starting
// with "#") saying what the trace proves, followed by the exact narration and summary. A change in
// behaviour shows up as a readable diff of message lines. After an intended change, regenerate with
// UPDATE_GOLDEN=1 npx jest golden, then read the diff before committing it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { narrate } from './narrate';
import { findScenario } from './scenarios';

const goldenDir = path.join(__dirname, 'golden');

const cases: readonly [string, string, string][] = [
  ['paxos', 'case1', 'X is chosen by A1-A3 before P5 starts; A3 reports it in its promise and P5 proposes X, not Y.'],
  ['paxos', 'case2a', 'Only A3 accepted X when P5 prepared; A3 is in both majorities, so X survives and is chosen under 1.5.'],
  ['paxos', 'case2b', "P1's accept to A3 is lost, X sits on a minority unseen by P5, and Y is chosen; P1 later adopts Y."],
  ['paxos', 'case3', "A3 promised 1.5 before accept(1.1, X) arrived and refuses it: the later proposal blocks the earlier, Y wins."],
  ['paxos', 'livelock', 'Every prepare reaches A3 just before the rival accept; nobody gives up, no value is chosen within the 40 ms bound, and the rounds open at the bound are preempted just after it.'],
  ['multipaxos', 'leader', 'Same latencies as the livelock, one leader: one prepare, then one accept round trip per value, no nack.'],
  ['byzantine', 'three-generals', 'Loyal commander says attack, traitor L2 lies, loyal L1 gets a tie and retreats: IC2 fails.'],
  ['byzantine', 'three-generals-traitor-commander', "L1's messages equal those of three-generals; trusting the commander on a tie splits L1 and L2: IC1 fails."],
];

function render(group: string, name: string): string {
  const run = findScenario(group, name)!.run({ seed: 1, count: 1 });
  return [...narrate(run.trace!), '', ...run.summary].join('\n') + '\n';
}

describe('golden traces', () => {
  it.each(cases)('%s %s', (group, name, meaning) => {
    const file = path.join(goldenDir, `${group}-${name}.txt`);
    const actual = render(group, name);
    if (process.env['UPDATE_GOLDEN'] === '1') {
      fs.writeFileSync(file, `# ${group} ${name}: ${meaning}\n${actual}`);
    }
    const expected = fs.readFileSync(file, 'utf8').split('\n').filter((l) => !l.startsWith('# ')).join('\n');
    expect(actual).toBe(expected);
  });
});
