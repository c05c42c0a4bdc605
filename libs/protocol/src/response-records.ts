/**
 * Response records (the bytes after ReplyHeader when err == 0).
 */
import type { ByteReader, ByteWriter } from '@coord/bytes';
import { readAclVector, readStat, writeAclVector, writeStat } from './records';
import type {
  ClientInfo,
  Create2Response,
  CreateResponse,
  ErrorResponse,
  GetACLResponse,
  GetAllChildrenNumberResponse,
  GetChildren2Response,
  GetChildrenResponse,
  GetDataResponse,
  GetEphemeralsResponse,
  PathResponse,
  SaslResponse,
  StatResponse,
  WhoAmIResponse,
} from './types';

/** CreateResponse and SyncResponse: {ustring path}. */
export function writePathResponse(w: ByteWriter, r: CreateResponse | PathResponse): void {
  w.writeString(r.path);
}

export function readPathResponse(r: ByteReader): CreateResponse & PathResponse {
  return { path: r.readString() };
}

export function writeCreate2Response(w: ByteWriter, r: Create2Response): void {
  w.writeString(r.path);
  writeStat(w, r.stat);
}

export function readCreate2Response(r: ByteReader): Create2Response {
  const path = r.readString();
  const stat = readStat(r);
  return { path, stat };
}

/** ExistsResponse, SetDataResponse, SetACLResponse: {Stat stat}. */
export function writeStatResponse(w: ByteWriter, r: StatResponse): void {
  writeStat(w, r.stat);
}

export function readStatResponse(r: ByteReader): StatResponse {
  return { stat: readStat(r) };
}

export function writeGetDataResponse(w: ByteWriter, r: GetDataResponse): void {
  w.writeBuffer(r.data);
  writeStat(w, r.stat);
}

export function readGetDataResponse(r: ByteReader): GetDataResponse {
  const data = r.readBuffer();
  const stat = readStat(r);
  return { data, stat };
}

export function writeGetACLResponse(w: ByteWriter, r: GetACLResponse): void {
  writeAclVector(w, r.acl);
  writeStat(w, r.stat);
}

export function readGetACLResponse(r: ByteReader): GetACLResponse {
  const acl = readAclVector(r);
  const stat = readStat(r);
  return { acl, stat };
}

export function writeChildrenResponse(w: ByteWriter, r: GetChildrenResponse): void {
  w.writeStringVector(r.children);
}

export function readChildrenResponse(r: ByteReader): GetChildrenResponse {
  return { children: r.readStringVector() };
}

export function writeChildren2Response(w: ByteWriter, r: GetChildren2Response): void {
  w.writeStringVector(r.children);
  writeStat(w, r.stat);
}

export function readChildren2Response(r: ByteReader): GetChildren2Response {
  const children = r.readStringVector();
  const stat = readStat(r);
  return { children, stat };
}

export function writeEphemeralsResponse(w: ByteWriter, r: GetEphemeralsResponse): void {
  w.writeStringVector(r.ephemerals);
}

export function readEphemeralsResponse(r: ByteReader): GetEphemeralsResponse {
  return { ephemerals: r.readStringVector() };
}

export function writeAllChildrenNumberResponse(w: ByteWriter, r: GetAllChildrenNumberResponse): void {
  w.writeInt(r.totalNumber);
}

export function readAllChildrenNumberResponse(r: ByteReader): GetAllChildrenNumberResponse {
  return { totalNumber: r.readInt() };
}

export function writeErrorResponse(w: ByteWriter, r: ErrorResponse): void {
  w.writeInt(r.err);
}

export function readErrorResponse(r: ByteReader): ErrorResponse {
  return { err: r.readInt() };
}

function writeClientInfo(w: ByteWriter, c: ClientInfo): void {
  w.writeString(c.authScheme);
  w.writeString(c.user);
}

function readClientInfo(r: ByteReader): ClientInfo {
  const authScheme = r.readString();
  const user = r.readString();
  return { authScheme, user };
}

export function writeWhoAmIResponse(w: ByteWriter, r: WhoAmIResponse): void {
  w.writeVector(r.clientInfo, writeClientInfo);
}

export function readWhoAmIResponse(r: ByteReader): WhoAmIResponse {
  return { clientInfo: r.readVector(8, readClientInfo) };
}

export function writeSaslResponse(w: ByteWriter, r: SaslResponse): void {
  w.writeBuffer(r.token);
}

export function readSaslResponse(r: ByteReader): SaslResponse {
  return { token: r.readBuffer() };
}
