/** A configuration value that cannot be used; names the key (or flag), the value and why. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    readonly value: string,
    readonly reason: string,
    readonly where?: string,
  ) {
    super(`Invalid ${key}=${JSON.stringify(value)}${where ? ` (${where})` : ''}: ${reason}`);
    this.name = 'ConfigError';
  }
}
