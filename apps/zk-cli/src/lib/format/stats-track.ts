/**
 * The text ZooKeeper keeps in `/zookeeper/quota/<path>/zookeeper_limits` and `.../zookeeper_stats`
 * (StatsTrack): `count=5,bytes=100=;byteHardLimit=-1;countHardLimit=-1` for limits (the odd `=;` is what
 * 3.8 writes) and `count=2,bytes=5` for stats. -1 means "no limit".
 */
export interface StatsTrack {
  count: number;
  bytes: number;
  /** Present for limits nodes. */
  countHardLimit?: number;
  byteHardLimit?: number;
}

export function parseStatsTrack(text: string | null): StatsTrack {
  const values = new Map<string, number>();
  for (const piece of (text ?? '').split(/[,;]+/)) {
    const [key, value] = piece.split('=');
    if (key && value !== undefined && value !== '' && !Number.isNaN(Number(value))) values.set(key, Number(value));
  }
  const track: StatsTrack = { count: values.get('count') ?? -1, bytes: values.get('bytes') ?? -1 };
  if (values.has('countHardLimit') || values.has('byteHardLimit')) {
    track.countHardLimit = values.get('countHardLimit') ?? -1;
    track.byteHardLimit = values.get('byteHardLimit') ?? -1;
  }
  return track;
}

export function formatStatsTrack(t: StatsTrack): string {
  const soft = `count=${t.count},bytes=${t.bytes}`;
  if (t.countHardLimit === undefined && t.byteHardLimit === undefined) return soft;
  return `${soft}=;byteHardLimit=${t.byteHardLimit ?? -1};countHardLimit=${t.countHardLimit ?? -1}`;
}
