/**
 * Text formats that Java's standard library gives ZooKeeper's outputs for free and that we must
 * reproduce by hand: Long.toHexString, Double.toString, Date.toString, InetSocketAddress.toString
 * and the `built on` date of Version.getFullVersion. Pure functions; no clock reads.
 */

const dayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const longBits = 64;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Long.toHexString: lowercase, no padding, and a negative value prints as its 64-bit two's
 * complement (so -1 is `ffffffffffffffff`). Numbers must be integers; zxids are `number` in this
 * project and session ids `bigint`.
 */
export function hexLong(value: bigint | number): string {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`hexLong needs a safe integer, got ${value}`);
  }
  return BigInt.asUintN(longBits, BigInt(value)).toString(16);
}

/**
 * java.util.Date.toString in UTC: `EEE MMM dd HH:mm:ss zzz yyyy`, e.g. `Wed Nov 25 02:38:56 UTC 2026`.
 * ZooKeeper prints the JVM's default zone; we always print UTC so outputs do not depend on the host.
 */
export function javaDateString(ms: number): string {
  const d = new Date(ms);
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  return `${dayNames[d.getUTCDay()]} ${monthNames[d.getUTCMonth()]} ${pad2(d.getUTCDate())} ${time} UTC ${d.getUTCFullYear()}`;
}

/** SimpleDateFormat `yyyy-MM-dd HH:mm zz` in UTC, the date format of ZooKeeper's version line. */
export function buildDateString(ms: number): string {
  const d = new Date(ms);
  const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  return `${date} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())} UTC`;
}

/**
 * Version.getFullVersion: `major.minor.micro-qualifier, built on yyyy-MM-dd HH:mm zz`. Clients read
 * the leading `major.minor.micro` of the `Zookeeper version:` (srvr) and `zookeeper.version=` (envi)
 * lines, so `version` must start with three dot-separated numbers.
 */
export function formatZooKeeperVersion(version: string, builtOnMs: number): string {
  if (!/^\d+\.\d+\.\d+(-[^,\s]+)?$/.test(version)) {
    throw new RangeError(`version must look like major.minor.micro[-qualifier], got ${JSON.stringify(version)}`);
  }
  return `${version}, built on ${buildDateString(builtOnMs)}`;
}

/**
 * Double.toString for the values ZooKeeper prints (latency averages, gauges): integers keep a `.0`,
 * decimal notation for 1e-3 <= |x| < 1e7, otherwise computerized scientific notation (`1.0E7`).
 */
export function javaDouble(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split('e');
  const javaMantissa = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${javaMantissa}E${Number(exponent)}`;
}

/**
 * ZooKeeper's AvgMinMaxCounter.getAvg: the mean rounded HALF_UP to 4 decimals (0 when empty), printed
 * with Double.toString, e.g. `4.4444`.
 */
export function averageForDisplay(total: number, count: number): number {
  if (count <= 0) return 0;
  const scaled = (total / count) * 10000;
  // Math.round rounds .5 up for positives, which is HALF_UP for the non-negative latencies we see.
  return Math.round(Number(scaled.toPrecision(15))) / 10000;
}

/** Expands an IPv6 literal the way Java's Inet6Address.getHostAddress prints it: 8 groups, no `::`. */
function javaIpv6(address: string): string {
  const [addr, zone] = address.split('%');
  let groups: string[];
  if (addr.includes('::')) {
    const [head, tail] = addr.split('::');
    const headGroups = head ? head.split(':') : [];
    const tailGroups = tail ? tail.split(':') : [];
    const missing = 8 - headGroups.length - tailGroups.length;
    groups = [...headGroups, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tailGroups];
  } else {
    groups = addr.split(':');
  }
  const text = groups.map((g) => parseInt(g, 16).toString(16)).join(':');
  return zone ? `${text}%${zone}` : text;
}

/**
 * InetSocketAddress.toString for an address without a host name: `/127.0.0.1:50412`,
 * `/[0:0:0:0:0:0:0:1]:2181`. Node reports
 * IPv4 clients of a dual-stack socket as `::ffff:127.0.0.1`, which Java shows as plain IPv4.
 */
export function javaSocketAddress(address: string, port: number): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return `/${mapped[1]}:${port}`;
  // Java 14+ brackets IPv6 literals here (checked with Java 17: `/[0:0:0:0:0:0:0:1]:2181`).
  if (address.includes(':') && !address.includes('.')) return `/[${javaIpv6(address)}]:${port}`;
  return `/${address}:${port}`;
}
