import { javaCapacityFor, javaHashSetOrder, javaStringHash, javaChildSetCapacityInitial } from './java-order';

describe('Java HashSet iteration order for children', () => {
  it('hashes strings like java.lang.String.hashCode', () => {
    // Values from the JDK: "".hashCode() == 0, "a" == 97, "hello" == 99162322, "zookeeper" == -1598452066 (overflowed).
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('a')).toBe(97);
    expect(javaStringHash('hello')).toBe(99162322);
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
  });

  it('grows the table past three quarters load and never shrinks it', () => {
    expect(javaCapacityFor(javaChildSetCapacityInitial, 6)).toBe(8);
    expect(javaCapacityFor(javaChildSetCapacityInitial, 7)).toBe(16);
    expect(javaCapacityFor(16, 13)).toBe(32);
    expect(javaCapacityFor(32, 1)).toBe(32);
  });

  it('orders by bucket, keeping insertion order inside a bucket', () => {
    // "Aa" and "BB" share a hash code (2112), so they share a bucket and keep insertion order.
    expect(javaStringHash('Aa')).toBe(javaStringHash('BB'));
    expect(javaHashSetOrder(['BB', 'Aa'], 8)).toEqual(['BB', 'Aa']);
    expect(javaHashSetOrder(['Aa', 'BB'], 8)).toEqual(['Aa', 'BB']);
    // Apache ZooKeeper 3.8.0 returned /sanguo's children created in this order as watched, nodata,
    // recursive, empty (seen through zkCli's deleteall, which deletes them in reverse).
    expect(javaHashSetOrder(['nodata', 'empty', 'recursive', 'watched'], 8)).toEqual(['watched', 'nodata', 'recursive', 'empty']);
  });
});
