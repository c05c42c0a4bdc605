/**
 * A tiny leveled logger. Lines go to stderr as
 * `2026-11-25T02:37:34.123Z [INFO] [component] message`, because stdout carries exactly one line,
 * `Coordinode listening on host:port`, which scripts wait for. The clock and the sink are injectable
 * so tests see exact lines.
 */

export const logLevels = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Default level when neither `--log-level` nor COORD_LOG_LEVEL says otherwise. */
export const logLevelDefault: LogLevel = 'info';

const levelRank: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Spellings people bring from log4j and friends, mapped onto our four levels. */
const levelAliases: Record<string, LogLevel> = {
  error: 'error',
  fatal: 'error',
  warn: 'warn',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'debug',
};

/** Parses a level name case-insensitively; undefined when it is not one we know. */
export function parseLogLevel(text: string): LogLevel | undefined {
  return levelAliases[text.trim().toLowerCase()];
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Epoch ms; defaults to Date.now. */
  clock?: () => number;
  /** Receives each complete line including the trailing newline; defaults to process.stderr. */
  sink?: (line: string) => void;
}

export class Logger {
  private readonly clock: () => number;
  private readonly sink: (line: string) => void;

  constructor(
    readonly component: string,
    options: LoggerOptions = {},
    private readonly shared = { level: options.level ?? logLevelDefault },
  ) {
    this.clock = options.clock ?? Date.now;
    this.sink = options.sink ?? ((line) => process.stderr.write(line));
  }

  /** A logger for a sub-component that shares this one's clock, sink and level. */
  child(component: string): Logger {
    return new Logger(component, { clock: this.clock, sink: this.sink }, this.shared);
  }

  get level(): LogLevel {
    return this.shared.level;
  }

  /** Changes the level of this logger and every child made from it. */
  setLevel(level: LogLevel): void {
    this.shared.level = level;
  }

  enabled(level: LogLevel): boolean {
    return levelRank[level] <= levelRank[this.shared.level];
  }

  error(message: string, err?: unknown): void {
    this.write('error', err === undefined ? message : `${message}: ${describeError(err)}`);
  }

  warn(message: string): void {
    this.write('warn', message);
  }

  info(message: string): void {
    this.write('info', message);
  }

  /** Pass a function to avoid building expensive messages that the level would drop. */
  debug(message: string | (() => string)): void {
    if (!this.enabled('debug')) return;
    this.write('debug', typeof message === 'function' ? message() : message);
  }

  private write(level: LogLevel, message: string): void {
    if (!this.enabled(level)) return;
    const stamp = new Date(this.clock()).toISOString();
    this.sink(`${stamp} [${level.toUpperCase()}] [${this.component}] ${message}\n`);
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

/** The root logger for the node: level from the config (which already folded in COORD_LOG_LEVEL). */
export function createLogger(component: string, options: LoggerOptions = {}): Logger {
  return new Logger(component, options);
}
