/** An operating failure of the data directory: names the file and the byte offset at fault. */
export class StorageError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly offset: number,
    /** What `--repair` would do about it, for the error text. */
    readonly repair?: string,
  ) {
    super(`${file} at offset ${offset}: ${message}${repair ? ` (start with --repair to ${repair})` : ''}`);
    this.name = 'StorageError';
  }
}
