import type { LoggerService } from '@nestjs/common';

/** Nest's own start-up chatter (module loading, route mapping) that a demo does not need to show. */
const frameworkContexts = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication', 'NestMicroservice']);

/**
 * One plain line per message: `[context] message`, on stderr for warnings and errors. Errors print their
 * message only; expected conditions (an absent server) are logged as warnings and never carry a stack.
 */
export class PlainLogger implements LoggerService {
  constructor(
    private readonly out: (line: string) => void = (l) => process.stdout.write(l + '\n'),
    private readonly err: (line: string) => void = (l) => process.stderr.write(l + '\n'),
    private readonly showAll = false,
  ) {}

  log(message: unknown, context?: string): void {
    if (!this.showAll && context && frameworkContexts.has(context)) return;
    this.out(this.format(message, context));
  }
  warn(message: unknown, context?: string): void {
    this.err(this.format(message, context, 'warning: '));
  }
  error(message: unknown, ...rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    this.err(this.format(message instanceof Error ? message.message : message, context, 'error: '));
  }
  debug(message: unknown, context?: string): void {
    if (this.showAll) this.out(this.format(message, context));
  }
  verbose(message: unknown, context?: string): void {
    this.debug(message, context);
  }

  private format(message: unknown, context: string | undefined, level = ''): string {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    return context ? `[${context}] ${level}${text}` : `${level}${text}`;
  }
}
