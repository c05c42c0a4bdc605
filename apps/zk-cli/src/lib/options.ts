/**
 * Per-command option parsing with the semantics of Apache commons-cli's DefaultParser, which zkCli uses:
 * options may appear anywhere among the arguments, `-5` is an argument (a negative number), `--` ends the
 * options, boolean flags may be bundled (`-se`), and a valued option takes the next token (`-t 5000`) or
 * the rest of its own token (`-t5000`). Failures carry commons-cli's exception text because zkCli prints it.
 */

/** Option letter -> true when the option takes a value. */
export type OptionSpec = Record<string, boolean>;

export interface ParsedOptions {
  /** Flags present; a valued option maps to its value, a flag to ''. */
  options: Map<string, string>;
  /** Non-option arguments in order (the command name is not included). */
  args: string[];
}

export class OptionParseError extends Error {}

const negativeNumber = /^-\d+(\.\d+)?$/;

function isOptionToken(token: string): boolean {
  return token.length > 1 && token.startsWith('-') && !negativeNumber.test(token);
}

export function parseOptions(spec: OptionSpec, tokens: readonly string[]): ParsedOptions {
  const options = new Map<string, string>();
  const args: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === '--') {
      args.push(...tokens.slice(i + 1));
      break;
    }
    if (!isOptionToken(token)) {
      args.push(token);
      continue;
    }
    const name = token.slice(1);
    if (name in spec) {
      if (!spec[name]) {
        options.set(name, '');
        continue;
      }
      const value = tokens[i + 1];
      if (value === undefined || isOptionToken(value)) throw missingArgument(name);
      options.set(name, value);
      i++;
      continue;
    }
    consumeBundle(spec, token, options);
  }
  return { options, args };
}

/** `-se` (bundled flags) or `-t5000` (a valued option with its value attached). */
function consumeBundle(spec: OptionSpec, token: string, options: Map<string, string>): void {
  const first = token[1];
  if (!(first in spec)) throw unrecognized(token);
  if (spec[first]) {
    options.set(first, token.slice(2));
    return;
  }
  for (const letter of token.slice(1)) {
    if (!(letter in spec)) throw unrecognized(token);
    if (spec[letter]) throw missingArgument(letter);
    options.set(letter, '');
  }
}

function unrecognized(token: string): OptionParseError {
  return new OptionParseError(`org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: ${token}`);
}

function missingArgument(name: string): OptionParseError {
  return new OptionParseError(`org.apache.commons.cli.MissingArgumentException: Missing argument for option: ${name}`);
}
