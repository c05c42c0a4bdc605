import type { Stat } from '@coord/protocol';
import { formatJavaDate, toHexString } from './java-text';

/** The stat block zkCli prints (StatPrinter), one field per line. */
export function statLines(stat: Stat, timeZone?: string): string[] {
  return [
    `cZxid = 0x${toHexString(stat.czxid)}`,
    `ctime = ${formatJavaDate(stat.ctime, timeZone)}`,
    `mZxid = 0x${toHexString(stat.mzxid)}`,
    `mtime = ${formatJavaDate(stat.mtime, timeZone)}`,
    `pZxid = 0x${toHexString(stat.pzxid)}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = 0x${toHexString(stat.ephemeralOwner)}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
  ];
}

/** The stat as a JSON-safe object for `-o json` (ephemeralOwner as hex, since it is a 64-bit id). */
export function statJson(stat: Stat): Record<string, number | string> {
  return {
    czxid: stat.czxid,
    mzxid: stat.mzxid,
    pzxid: stat.pzxid,
    ctime: stat.ctime,
    mtime: stat.mtime,
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: `0x${toHexString(stat.ephemeralOwner)}`,
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
  };
}
