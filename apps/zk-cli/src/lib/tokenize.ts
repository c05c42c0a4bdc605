/**
 * Splits a command line the way zkCli.sh does (ZooKeeperMain.MyCommandOptions.parseCommand): a token is
 * either a run of non-space characters that does not start with a quote, or a whole "..." / '...' string.
 * Surrounding quotes are stripped; quotes inside a token are kept. An unterminated quote is skipped, so
 * `create /a "x` creates /a with data `x`, exactly as zkCli does.
 */
const tokenPattern = /\s*([^"']\S*|"[^"]*"|'[^']*')\s*/g;
const quotedPattern = /^(['"])(.*)\1$/;

export function tokenize(line: string): string[] {
  const tokens: string[] = [];
  tokenPattern.lastIndex = 0;
  for (let m = tokenPattern.exec(line); m !== null; m = tokenPattern.exec(line)) {
    const raw = m[1];
    const quoted = quotedPattern.exec(raw);
    tokens.push(quoted ? quoted[2] : raw);
  }
  return tokens;
}
