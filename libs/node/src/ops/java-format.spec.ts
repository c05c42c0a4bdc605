import { averageForDisplay, buildDateString, formatZooKeeperVersion, hexLong, javaDateString, javaDouble, javaSocketAddress } from './java-format';

// Expected values below were printed by Java 17 (Double.toString, Long.toHexString, Date.toString
// with the UTC default zone, SimpleDateFormat("yyyy-MM-dd HH:mm zz"), and ZooKeeper's
// BigDecimal.setScale(4, HALF_UP) average) so the TypeScript ports are checked against the JVM.

describe('javaDouble matches Double.toString', () => {
  const cases: [number, string][] = [
    [0, '0.0'], [-0, '-0.0'], [1, '1.0'], [4.4444, '4.4444'], [0.1, '0.1'], [0.001, '0.001'], [0.0009, '9.0E-4'],
    [1234567.5, '1234567.5'], [9999999, '9999999.0'], [1e7, '1.0E7'], [12345678.9, '1.23456789E7'], [1.5e21, '1.5E21'],
    [1e-5, '1.0E-5'], [2.5e-10, '2.5E-10'], [100, '100.0'], [123.456, '123.456'], [-3.75, '-3.75'], [NaN, 'NaN'],
    [Infinity, 'Infinity'], [1 / 3, '0.3333333333333333'],
  ];
  it.each(cases)('%p -> %s', (value, expected) => expect(javaDouble(value)).toBe(expected));
});

describe('hexLong matches Long.toHexString', () => {
  const cases: [bigint | number, string][] = [
    [0, '0'], [1, '1'], [255, 'ff'], [-1, 'ffffffffffffffff'], [-2, 'fffffffffffffffe'],
    [72057621249392641n, '100000655ee0001'], [-9223372036854775808n, '8000000000000000'],
    [9223372036854775807n, '7fffffffffffffff'], [4294967296, '100000000'], [-1n, 'ffffffffffffffff'],
  ];
  it.each(cases)('%p -> %s', (value, expected) => expect(hexLong(value)).toBe(expected));

  it('refuses non-integers rather than printing nonsense', () => {
    expect(() => hexLong(1.5)).toThrow(RangeError);
    expect(() => hexLong(2 ** 60)).toThrow(RangeError);
  });
});

describe('dates', () => {
  const cases: [number, string, string][] = [
    [0, 'Thu Jan 01 00:00:00 UTC 1970', '1970-01-01 00:00 UTC'],
    [1795574325441, 'Wed Nov 25 02:38:45 UTC 2026', '2026-11-25 02:38 UTC'],
    [1717200000000, 'Sat Jun 01 00:00:00 UTC 2024', '2024-06-01 00:00 UTC'],
    [951782400000, 'Tue Feb 29 00:00:00 UTC 2000', '2000-02-29 00:00 UTC'],
    [253402300799000, 'Fri Dec 31 23:59:59 UTC 9999', '9999-12-31 23:59 UTC'],
  ];
  it.each(cases)('%p', (ms, javaDate, buildDate) => {
    expect(javaDateString(ms)).toBe(javaDate);
    expect(buildDateString(ms)).toBe(buildDate);
  });
});

describe('averageForDisplay rounds like AvgMinMaxCounter.getAvg', () => {
  const cases: [number, number, string][] = [
    [0, 0, '0.0'], [40, 9, '4.4444'], [5, 2, '2.5'], [1, 3, '0.3333'], [2, 3, '0.6667'], [10, 7, '1.4286'],
    [1, 8, '0.125'], [100001, 20000, '5.0001'], [123456789, 1000, '123456.789'],
  ];
  it.each(cases)('%p/%p -> %s', (total, count, expected) => expect(javaDouble(averageForDisplay(total, count))).toBe(expected));
});

describe('formatZooKeeperVersion', () => {
  it('produces the version line clients parse', () => {
    const text = formatZooKeeperVersion('3.9.3-coordinode', Date.UTC(2026, 10, 25, 2, 37));
    expect(text).toBe('3.9.3-coordinode, built on 2026-11-25 02:37 UTC');
    // The shape of Apache's own line: `3.8.0-<sha>, built on 2024-12-29 17:54 UTC`.
    expect(text).toMatch(/^\d+\.\d+\.\d+-\S+, built on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  });

  it('rejects a version that clients could not parse', () => {
    expect(() => formatZooKeeperVersion('coordinode', 0)).toThrow(RangeError);
    expect(() => formatZooKeeperVersion('3.9', 0)).toThrow(RangeError);
  });
});

// IPv6 expectations were printed by Java 17's InetSocketAddress.toString.
describe('javaSocketAddress matches InetSocketAddress.toString', () => {
  it.each([
    ['127.0.0.1', 50412, '/127.0.0.1:50412'],
    ['::ffff:127.0.0.1', 5, '/127.0.0.1:5'],
    ['::1', 2181, '/[0:0:0:0:0:0:0:1]:2181'],
    ['fe80::1%eth0', 7, '/[fe80:0:0:0:0:0:0:1%eth0]:7'],
    ['2001:db8:0:0:0:0:2:1', 9, '/[2001:db8:0:0:0:0:2:1]:9'],
    ['2001:0db8::0001', 9, '/[2001:db8:0:0:0:0:0:1]:9'],
  ])('%s:%p', (address, port, expected) => expect(javaSocketAddress(address, port)).toBe(expected));
});
