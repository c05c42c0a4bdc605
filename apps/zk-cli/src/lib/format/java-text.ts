/** Java's textual forms of longs and dates, as zkCli prints them. */

const longBits = 64;

/** Long.toHexString: lowercase, no padding, two's complement for negative values. */
export function toHexString(value: number | bigint): string {
  return BigInt.asUintN(longBits, BigInt(value)).toString(16);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      month: 'short',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      year: 'numeric',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(key, f);
  }
  return f;
}

/**
 * Date.toString(): `EEE MMM dd HH:mm:ss zzz yyyy` (`Wed Nov 25 01:32:56 UTC 2026`) in the given IANA time
 * zone, or the process's zone (TZ) when none is given. Zones without an English abbreviation print as
 * `GMT+8`, where Java would print its own short name.
 */
export function formatJavaDate(ms: number, timeZone?: string): string {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return `${parts['weekday']} ${parts['month']} ${parts['day']} ${parts['hour']}:${parts['minute']}:${parts['second']} ${parts['timeZoneName']} ${parts['year']}`;
}
