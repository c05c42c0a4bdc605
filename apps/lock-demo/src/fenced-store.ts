/**
 * The storage a lock protects, checking fencing tokens: it remembers the highest token that wrote and
 * refuses any write carrying a lower one. That is what turns "I think I hold the lock" into "I do".
 */
export class FencedStore {
  value: string | null = null;
  highestToken = -Infinity;
  readonly log: { token: number; value: string; accepted: boolean }[] = [];

  write(token: number, value: string): { accepted: boolean; reason?: string } {
    const accepted = token >= this.highestToken;
    this.log.push({ token, value, accepted });
    if (!accepted) return { accepted, reason: `token ${token} < ${this.highestToken} already seen` };
    this.highestToken = token;
    this.value = value;
    return { accepted };
  }
}
