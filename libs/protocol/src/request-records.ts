/**
 * Request records (the bytes after RequestHeader), one reader and writer per record shape.
 * Shared by top-level requests and the ops inside multi / multiRead.
 */
import { JuteReader, JuteWriter } from './jute';
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

export function writeCreate(w: JuteWriter, r: CreateRequest): void {
  w.writeString(r.path);
  w.writeBuffer(r.data);
  writeAclVector(w, r.acl);
  w.writeInt(r.flags);
}

export function readCreate(r: JuteReader): CreateRequest {
  const path = r.readString();
  const data = r.readBuffer();
  const acl = readAclVector(r);
  const flags = r.readInt();
  return { path, data, acl, flags };
}

export function writeCreateTTL(w: JuteWriter, r: CreateTTLRequest): void {
  writeCreate(w, r);
  w.writeLong(r.ttl);
}

export function readCreateTTL(r: JuteReader): CreateTTLRequest {
  const path = r.readString();
  const data = r.readBuffer();
  const acl = readAclVector(r);
  const flags = r.readInt();
  const ttl = r.readLong();
  return { path, data, acl, flags, ttl };
}

/** DeleteRequest and CheckVersionRequest share the layout {ustring path; int version}. */
export function writePathVersion(w: JuteWriter, r: DeleteRequest | CheckVersionRequest): void {
  w.writeString(r.path);
  w.writeInt(r.version);
}

export function readPathVersion(r: JuteReader): DeleteRequest & CheckVersionRequest {
  const path = r.readString();
  const version = r.readInt();
  return { path, version };
}

export function writePathWatch(w: JuteWriter, r: PathWatchRequest): void {
  w.writeString(r.path);
  w.writeBool(r.watch);
}

export function readPathWatch(r: JuteReader): PathWatchRequest {
  const path = r.readString();
  const watch = r.readBool();
  return { path, watch };
}

export function writeSetData(w: JuteWriter, r: SetDataRequest): void {
  w.writeString(r.path);
  w.writeBuffer(r.data);
  w.writeInt(r.version);
}

export function readSetData(r: JuteReader): SetDataRequest {
  const path = r.readString();
  const data = r.readBuffer();
  const version = r.readInt();
  return { path, data, version };
}

export function writePath(w: JuteWriter, r: PathRequest): void {
  w.writeString(r.path);
}

export function readPath(r: JuteReader): PathRequest {
  return { path: r.readString() };
}

export function writeSetACL(w: JuteWriter, r: SetACLRequest): void {
  w.writeString(r.path);
  writeAclVector(w, r.acl);
  w.writeInt(r.version);
}

export function readSetACL(r: JuteReader): SetACLRequest {
  const path = r.readString();
  const acl = readAclVector(r);
  const version = r.readInt();
  return { path, acl, version };
}

export function writeReconfig(w: JuteWriter, r: ReconfigRequest): void {
  w.writeString(r.joiningServers);
  w.writeString(r.leavingServers);
  w.writeString(r.newMembers);
  w.writeLong(r.curConfigId);
}

export function readReconfig(r: JuteReader): ReconfigRequest {
  const joiningServers = r.readString();
  const leavingServers = r.readString();
  const newMembers = r.readString();
  const curConfigId = r.readLong();
  return { joiningServers, leavingServers, newMembers, curConfigId };
}

/** CheckWatchesRequest, RemoveWatchesRequest and AddWatchRequest: {ustring path; int type|mode}. */
export function writeWatches(w: JuteWriter, r: WatchesRequest): void {
  w.writeString(r.path);
  w.writeInt(r.type);
}

export function readWatches(r: JuteReader): WatchesRequest {
  const path = r.readString();
  const type = r.readInt();
  return { path, type };
}

export function writeAddWatch(w: JuteWriter, r: AddWatchRequest): void {
  w.writeString(r.path);
  w.writeInt(r.mode);
}

export function readAddWatch(r: JuteReader): AddWatchRequest {
  const path = r.readString();
  const mode = r.readInt();
  return { path, mode };
}

export function writeAuth(w: JuteWriter, r: AuthPacket): void {
  w.writeInt(r.type);
  w.writeString(r.scheme);
  w.writeBuffer(r.auth);
}

export function readAuth(r: JuteReader): AuthPacket {
  const type = r.readInt();
  const scheme = r.readString();
  const auth = r.readBuffer();
  return { type, scheme, auth };
}

export function writeSetWatches(w: JuteWriter, r: SetWatchesRequest): void {
  w.writeLong(r.relativeZxid);
  w.writeStringVector(r.dataWatches);
  w.writeStringVector(r.existWatches);
  w.writeStringVector(r.childWatches);
}

export function readSetWatches(r: JuteReader): SetWatchesRequest {
  const relativeZxid = r.readLong();
  const dataWatches = r.readStringVector();
  const existWatches = r.readStringVector();
  const childWatches = r.readStringVector();
  return { relativeZxid, dataWatches, existWatches, childWatches };
}

export function writeSetWatches2(w: JuteWriter, r: SetWatches2Request): void {
  writeSetWatches(w, r);
  w.writeStringVector(r.persistentWatches);
  w.writeStringVector(r.persistentRecursiveWatches);
}

export function readSetWatches2(r: JuteReader): SetWatches2Request {
  const relativeZxid = r.readLong();
  const dataWatches = r.readStringVector();
  const existWatches = r.readStringVector();
  const childWatches = r.readStringVector();
  const persistentWatches = r.readStringVector();
  const persistentRecursiveWatches = r.readStringVector();
  return { relativeZxid, dataWatches, existWatches, childWatches, persistentWatches, persistentRecursiveWatches };
}

export function writeSasl(w: JuteWriter, r: SaslRequest): void {
  w.writeBuffer(r.token);
}

export function readSasl(r: JuteReader): SaslRequest {
  return { token: r.readBuffer() };
}
