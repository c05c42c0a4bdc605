/**
 * Response records (the bytes after ReplyHeader when err == 0).
 */
import { JuteReader, JuteWriter } from './jute';
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
export function writePathResponse(w: JuteWriter, r: CreateResponse | PathResponse): void {
  w.writeString(r.path);
}

export function readPathResponse(r: JuteReader): CreateResponse & PathResponse {
  return { path: r.readString() };
}

export function writeCreate2Response(w: JuteWriter, r: Create2Response): void {
  w.writeString(r.path);
  writeStat(w, r.stat);
}

export function readCreate2Response(r: JuteReader): Create2Response {
  const path = r.readString();
  const stat = readStat(r);
  return { path, stat };
}

/** ExistsResponse, SetDataResponse, SetACLResponse: {Stat stat}. */
export function writeStatResponse(w: JuteWriter, r: StatResponse): void {
  writeStat(w, r.stat);
}

export function readStatResponse(r: JuteReader): StatResponse {
  return { stat: readStat(r) };
}

export function writeGetDataResponse(w: JuteWriter, r: GetDataResponse): void {
  w.writeBuffer(r.data);
  writeStat(w, r.stat);
}

export function readGetDataResponse(r: JuteReader): GetDataResponse {
  const data = r.readBuffer();
  const stat = readStat(r);
  return { data, stat };
}

export function writeGetACLResponse(w: JuteWriter, r: GetACLResponse): void {
  writeAclVector(w, r.acl);
  writeStat(w, r.stat);
}

export function readGetACLResponse(r: JuteReader): GetACLResponse {
  const acl = readAclVector(r);
  const stat = readStat(r);
  return { acl, stat };
}

export function writeChildrenResponse(w: JuteWriter, r: GetChildrenResponse): void {
  w.writeStringVector(r.children);
}

export function readChildrenResponse(r: JuteReader): GetChildrenResponse {
  return { children: r.readStringVector() };
}

export function writeChildren2Response(w: JuteWriter, r: GetChildren2Response): void {
  w.writeStringVector(r.children);
  writeStat(w, r.stat);
}

export function readChildren2Response(r: JuteReader): GetChildren2Response {
  const children = r.readStringVector();
  const stat = readStat(r);
  return { children, stat };
}

export function writeEphemeralsResponse(w: JuteWriter, r: GetEphemeralsResponse): void {
  w.writeStringVector(r.ephemerals);
}

export function readEphemeralsResponse(r: JuteReader): GetEphemeralsResponse {
  return { ephemerals: r.readStringVector() };
}

export function writeAllChildrenNumberResponse(w: JuteWriter, r: GetAllChildrenNumberResponse): void {
  w.writeInt(r.totalNumber);
}

export function readAllChildrenNumberResponse(r: JuteReader): GetAllChildrenNumberResponse {
  return { totalNumber: r.readInt() };
}

export function writeErrorResponse(w: JuteWriter, r: ErrorResponse): void {
  w.writeInt(r.err);
}

export function readErrorResponse(r: JuteReader): ErrorResponse {
  return { err: r.readInt() };
}

function writeClientInfo(w: JuteWriter, c: ClientInfo): void {
  w.writeString(c.authScheme);
  w.writeString(c.user);
}

function readClientInfo(r: JuteReader): ClientInfo {
  const authScheme = r.readString();
  const user = r.readString();
  return { authScheme, user };
}

export function writeWhoAmIResponse(w: JuteWriter, r: WhoAmIResponse): void {
  w.writeVector(r.clientInfo, writeClientInfo);
}

export function readWhoAmIResponse(r: JuteReader): WhoAmIResponse {
  return { clientInfo: r.readVector(8, readClientInfo) };
}

export function writeSaslResponse(w: JuteWriter, r: SaslResponse): void {
  w.writeBuffer(r.token);
}

export function readSaslResponse(r: JuteReader): SaslResponse {
  return { token: r.readBuffer() };
}
