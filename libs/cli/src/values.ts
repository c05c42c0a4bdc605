/**
 * Value parsers for flags. Each throws commander's InvalidArgumentError, which commander prints as
 * `error: option '--port <n>' argument 'x' is invalid. expected an integer from 0 to 65535`.
 */
import { InvalidArgumentError } from 'commander';

const integerText = /^[+-]?\d+$/;

/** An integer in [min, max]; `unit` is appended to the range in the message (e.g. ' ms'). */
export function integerIn(min: number, max: number, unit = ''): (value: string) => number {
  return (value: string) => {
    const text = value.trim();
    const n = integerText.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}${unit}`);
    }
    return n;
  };
}

/** A TCP port; 0 asks the OS for a free one. */
export const portNumber = integerIn(0, 65535);

/** A non-empty string (commander accepts `--flag=` otherwise). */
export function nonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected a non-empty value');
  return value;
}
