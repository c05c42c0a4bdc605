/**
 * The small records shared by many requests and responses: Stat, ACL, Id, headers, WatcherEvent.
 */
import type { ByteReader, ByteWriter } from '@coord/bytes';
import type { ACL, ReplyHeader, RequestHeader, Stat, WatcherEvent } from './types';

/** A Stat with every field zero, as ZooKeeper reports for a node it has no stat for. */
export function statZero(): Stat {
  return {
    czxid: 0,
    mzxid: 0,
    ctime: 0,
    mtime: 0,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    dataLength: 0,
    numChildren: 0,
    pzxid: 0,
  };
}

export function writeStat(w: ByteWriter, s: Stat): void {
  w.writeLong(s.czxid);
  w.writeLong(s.mzxid);
  w.writeLong(s.ctime);
  w.writeLong(s.mtime);
  w.writeInt(s.version);
  w.writeInt(s.cversion);
  w.writeInt(s.aversion);
  w.writeLong(s.ephemeralOwner);
  w.writeInt(s.dataLength);
  w.writeInt(s.numChildren);
  w.writeLong(s.pzxid);
}

export function readStat(r: ByteReader): Stat {
  // Object literal in declaration order keeps one hidden class for every Stat.
  return {
    czxid: r.readLong(),
    mzxid: r.readLong(),
    ctime: r.readLong(),
    mtime: r.readLong(),
    version: r.readInt(),
    cversion: r.readInt(),
    aversion: r.readInt(),
    ephemeralOwner: r.readBigLong(),
    dataLength: r.readInt(),
    numChildren: r.readInt(),
    pzxid: r.readLong(),
  };
}

export function writeAcl(w: ByteWriter, a: ACL): void {
  w.writeInt(a.perms);
  w.writeString(a.id.scheme);
  w.writeString(a.id.id);
}

export function readAcl(r: ByteReader): ACL {
  const perms = r.readInt();
  const scheme = r.readString();
  const id = r.readString();
  return { perms, id: { scheme, id } };
}

/** The smallest ACL on the wire: perms + two string lengths. */
export const aclBytesMin = 12;

export function writeAclVector(w: ByteWriter, acl: readonly ACL[]): void {
  w.writeVector(acl, writeAcl);
}

export function readAclVector(r: ByteReader): ACL[] {
  return r.readVector(aclBytesMin, readAcl);
}

export function writeRequestHeader(w: ByteWriter, h: RequestHeader): void {
  w.writeInt(h.xid);
  w.writeInt(h.type);
}

export function writeReplyHeader(w: ByteWriter, h: ReplyHeader): void {
  w.writeInt(h.xid);
  w.writeLong(h.zxid);
  w.writeInt(h.err);
}

export function readReplyHeader(r: ByteReader): ReplyHeader {
  const xid = r.readInt();
  const zxid = r.readLong();
  const err = r.readInt();
  return { xid, zxid, err };
}

export function writeWatcherEvent(w: ByteWriter, e: WatcherEvent): void {
  w.writeInt(e.type);
  w.writeInt(e.state);
  w.writeString(e.path);
}

export function readWatcherEvent(r: ByteReader): WatcherEvent {
  const type = r.readInt();
  const state = r.readInt();
  const path = r.readString();
  return { type, state, path };
}
