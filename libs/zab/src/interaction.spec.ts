// Runs every script in libs/zab/testdata. Each script opens with the paragraph saying what it proves.
// Regenerate the traces with `UPDATE=1 npx jest interaction` and read the diff.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runScriptFile } from './testing/datadriven';
import { InteractionEnv } from './testing/interaction';

const dir = join(__dirname, '..', 'testdata');

describe('ZAB interaction scripts (testdata/*.txt)', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    it(file, () => {
      const env = new InteractionEnv();
      const mismatches = runScriptFile(join(dir, file), (command) => env.handle(command), process.env.UPDATE === '1');
      expect(mismatches).toEqual([]);
    });
  }
});
