/**
 * Request records (the bytes after RequestHeader), one reader and writer per record shape.
 * Shared by top-level requests and the ops inside multi / multiRead.
 */
import type { ByteReader, ByteWriter } from '@coord/bytes';
import { readAclVector, writeAclVector } from './records';
import type {
  AddWatchRequest,
  AuthPacket,
  CheckVersionRequest,
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  PathRequest,
  PathWatchRequest,
  ReconfigRequest,
  SaslRequest,
  SetACLRequest,
  SetDataRequest,
  SetWatches2Request,
  SetWatchesRequest,
  WatchesRequest,
} from './types';

export function writeCreate(w: ByteWriter, r: CreateRequest): void {
  w.writeString(r.path);
  w.writeBuffer(r.data);
  writeAclVector(w, r.acl);
  w.writeInt(r.flags);
}

export function readCreate(r: ByteReader): CreateRequest {
  const path = r.readString();
  const data = r.readBuffer();
  const acl = readAclVector(r);
  const flags = r.readInt();
  return { path, data, acl, flags };
}

export function writeCreateTTL(w: ByteWriter, r: CreateTTLRequest): void {
  writeCreate(w, r);
  w.writeLong(r.ttl);
}

export function readCreateTTL(r: ByteReader): CreateTTLRequest {
  const path = r.readString();
  const data = r.readBuffer();
  const acl = readAclVector(r);
  const flags = r.readInt();
  const ttl = r.readLong();
  return { path, data, acl, flags, ttl };
}

/** DeleteRequest and CheckVersionRequest share the layout {ustring path; int version}. */
export function writePathVersion(w: ByteWriter, r: DeleteRequest | CheckVersionRequest): void {
  w.writeString(r.path);
  w.writeInt(r.version);
}

export function readPathVersion(r: ByteReader): DeleteRequest & CheckVersionRequest {
  const path = r.readString();
  const version = r.readInt();
  return { path, version };
}

export function writePathWatch(w: ByteWriter, r: PathWatchRequest): void {
  w.writeString(r.path);
  w.writeBool(r.watch);
}

export function readPathWatch(r: ByteReader): PathWatchRequest {
  const path = r.readString();
  const watch = r.readBool();
  return { path, watch };
}

export function writeSetData(w: ByteWriter, r: SetDataRequest): void {
  w.writeString(r.path);
  w.writeBuffer(r.data);
  w.writeInt(r.version);
}

export function readSetData(r: ByteReader): SetDataRequest {
  const path = r.readString();
  const data = r.readBuffer();
  const version = r.readInt();
  return { path, data, version };
}

export function writePath(w: ByteWriter, r: PathRequest): void {
  w.writeString(r.path);
}

export function readPath(r: ByteReader): PathRequest {
  return { path: r.readString() };
}

export function writeSetACL(w: ByteWriter, r: SetACLRequest): void {
  w.writeString(r.path);
  writeAclVector(w, r.acl);
  w.writeInt(r.version);
}

export function readSetACL(r: ByteReader): SetACLRequest {
  const path = r.readString();
  const acl = readAclVector(r);
  const version = r.readInt();
  return { path, acl, version };
}

export function writeReconfig(w: ByteWriter, r: ReconfigRequest): void {
  w.writeString(r.joiningServers);
  w.writeString(r.leavingServers);
  w.writeString(r.newMembers);
  w.writeLong(r.curConfigId);
}

export function readReconfig(r: ByteReader): ReconfigRequest {
  const joiningServers = r.readString();
  const leavingServers = r.readString();
  const newMembers = r.readString();
  const curConfigId = r.readLong();
  return { joiningServers, leavingServers, newMembers, curConfigId };
}

/** CheckWatchesRequest, RemoveWatchesRequest and AddWatchRequest: {ustring path; int type|mode}. */
export function writeWatches(w: ByteWriter, r: WatchesRequest): void {
  w.writeString(r.path);
  w.writeInt(r.type);
}

export function readWatches(r: ByteReader): WatchesRequest {
  const path = r.readString();
  const type = r.readInt();
  return { path, type };
}

export function writeAddWatch(w: ByteWriter, r: AddWatchRequest): void {
  w.writeString(r.path);
  w.writeInt(r.mode);
}

export function readAddWatch(r: ByteReader): AddWatchRequest {
  const path = r.readString();
  const mode = r.readInt();
  return { path, mode };
}

export function writeAuth(w: ByteWriter, r: AuthPacket): void {
  w.writeInt(r.type);
  w.writeString(r.scheme);
  w.writeBuffer(r.auth);
}

export function readAuth(r: ByteReader): AuthPacket {
  const type = r.readInt();
  const scheme = r.readString();
  const auth = r.readBuffer();
  return { type, scheme, auth };
}

export function writeSetWatches(w: ByteWriter, r: SetWatchesRequest): void {
  w.writeLong(r.relativeZxid);
  w.writeStringVector(r.dataWatches);
  w.writeStringVector(r.existWatches);
  w.writeStringVector(r.childWatches);
}

export function readSetWatches(r: ByteReader): SetWatchesRequest {
  const relativeZxid = r.readLong();
  const dataWatches = r.readStringVector();
  const existWatches = r.readStringVector();
  const childWatches = r.readStringVector();
  return { relativeZxid, dataWatches, existWatches, childWatches };
}

export function writeSetWatches2(w: ByteWriter, r: SetWatches2Request): void {
  writeSetWatches(w, r);
  w.writeStringVector(r.persistentWatches);
  w.writeStringVector(r.persistentRecursiveWatches);
}

export function readSetWatches2(r: ByteReader): SetWatches2Request {
  const relativeZxid = r.readLong();
  const dataWatches = r.readStringVector();
  const existWatches = r.readStringVector();
  const childWatches = r.readStringVector();
  const persistentWatches = r.readStringVector();
  const persistentRecursiveWatches = r.readStringVector();
  return { relativeZxid, dataWatches, existWatches, childWatches, persistentWatches, persistentRecursiveWatches };
}

export function writeSasl(w: ByteWriter, r: SaslRequest): void {
  w.writeBuffer(r.token);
}

export function readSasl(r: ByteReader): SaslRequest {
  return { token: r.readBuffer() };
}
