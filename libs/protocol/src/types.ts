/**
 * The ZooKeeper 3.8/3.9 client protocol as TypeScript types.
 *
 * Conventions:
 * - zxids, times (ms since epoch) and TTLs are `number`: they stay below 2^53 in practice
 *   (zxid = epoch << 32 | counter with epoch < 2^21).
 * - session ids (and `ephemeralOwner`, which holds one) are `bigint`: their top byte is the server id.
 * - jute `buffer` fields are `Buffer | null`: null (-1 on the wire) is distinct from an empty buffer.
 * - jute `ustring` fields are `string`; a null string on the wire decodes as `''` (kazoo sends '' as null),
 *   and the encoder never writes a null string (the C client cannot decode one).
 */

import type { MultiOp } from './operations';

export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;
export type OpCodeName = keyof typeof OpCode;
export type OpCodeValue = (typeof OpCode)[OpCodeName];

/** KeeperException.Code values. */
export const ErrorCode = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const;
export type ErrorCodeName = keyof typeof ErrorCode;

/** Watcher.Event.EventType. */
export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;

/** Watcher.Event.KeeperState. */
export const KeeperState = {
  Unknown: -1,
  Disconnected: 0,
  NoSyncConnected: 1,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Expired: -112,
  Closed: 7,
} as const;

/** CreateMode flags. */
export const CreateFlag = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
  PERSISTENT_WITH_TTL: 5,
  PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
} as const;

/** AddWatchMode. */
export const AddWatchMode = { PERSISTENT: 0, PERSISTENT_RECURSIVE: 1 } as const;

/** WatcherType for checkWatches / removeWatches. */
export const WatcherType = { Children: 1, Data: 2, Any: 3, Persistent: 4, PersistentRecursive: 5 } as const;

/** ZooDefs.Perms. */
export const Perms = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 } as const;

/** Special xids. */
export const Xid = { notification: -1, ping: -2, auth: -4, setWatches: -8 } as const;

export interface Id {
  scheme: string;
  id: string;
}

export interface ACL {
  perms: number;
  id: Id;
}

export interface Stat {
  czxid: number;
  mzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: number;
}

export interface RequestHeader {
  xid: number;
  type: number;
}

export interface ReplyHeader {
  xid: number;
  zxid: number;
  err: number;
}

export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  /** undefined when the client did not send the byte (pre-3.4 clients, node-zookeeper-client). */
  readOnly?: boolean;
}

export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  /** undefined: the byte is omitted (answering a client that did not send it). */
  readOnly?: boolean;
}

export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}

// ---- request records (the part after RequestHeader) ----

export interface CreateRequest {
  path: string;
  data: Buffer | null;
  acl: ACL[];
  flags: number;
}
export interface CreateTTLRequest extends CreateRequest {
  ttl: number;
}
export interface DeleteRequest {
  path: string;
  version: number;
}
/** exists, getData, getChildren, getChildren2. */
export interface PathWatchRequest {
  path: string;
  watch: boolean;
}
export interface SetDataRequest {
  path: string;
  data: Buffer | null;
  version: number;
}
/** getACL, sync, getEphemerals (prefixPath), getAllChildrenNumber, deleteContainer. */
export interface PathRequest {
  path: string;
}
export interface SetACLRequest {
  path: string;
  acl: ACL[];
  version: number;
}
export interface CheckVersionRequest {
  path: string;
  version: number;
}
export interface AuthPacket {
  type: number;
  scheme: string;
  auth: Buffer | null;
}
export interface SetWatchesRequest {
  relativeZxid: number;
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
}
export interface SetWatches2Request extends SetWatchesRequest {
  persistentWatches: string[];
  persistentRecursiveWatches: string[];
}
export interface AddWatchRequest {
  path: string;
  mode: number;
}
/** checkWatches, removeWatches. */
export interface WatchesRequest {
  path: string;
  type: number;
}
export interface ReconfigRequest {
  joiningServers: string;
  leavingServers: string;
  newMembers: string;
  curConfigId: number;
}
export interface SaslRequest {
  token: Buffer | null;
}

export interface MultiRequest {
  ops: MultiOp[];
}

// Request and MultiOp derive from the opcode table (operations.ts): the opcode selects the record.
export type { MultiOp, Request } from './operations';

// ---- response records (the part after ReplyHeader; present only when err == 0) ----

export interface CreateResponse {
  path: string;
}
export interface Create2Response {
  path: string;
  stat: Stat;
}
export interface StatResponse {
  stat: Stat;
}
export interface GetDataResponse {
  data: Buffer | null;
  stat: Stat;
}
export interface GetACLResponse {
  acl: ACL[];
  stat: Stat;
}
export interface GetChildrenResponse {
  children: string[];
}
export interface GetChildren2Response {
  children: string[];
  stat: Stat;
}
export interface PathResponse {
  path: string;
}
export interface GetEphemeralsResponse {
  ephemerals: string[];
}
export interface GetAllChildrenNumberResponse {
  totalNumber: number;
}
export interface ErrorResponse {
  err: number;
}
export interface ClientInfo {
  authScheme: string;
  user: string;
}
export interface WhoAmIResponse {
  clientInfo: ClientInfo[];
}
export interface SaslResponse {
  token: Buffer | null;
}

/** One result inside a multi / multiRead response. `type` is the MultiHeader type. */
export type MultiResult =
  | { type: typeof OpCode.create; response: CreateResponse }
  | { type: typeof OpCode.create2; response: Create2Response }
  | { type: typeof OpCode.delete | typeof OpCode.check; response: null }
  | { type: typeof OpCode.setData; response: StatResponse }
  | { type: typeof OpCode.getData; response: GetDataResponse }
  | { type: typeof OpCode.getChildren; response: GetChildrenResponse }
  | { type: typeof OpCode.error; response: ErrorResponse };

export interface MultiResponse {
  results: MultiResult[];
}

/**
 * A response body as the server sends it. Which one a reply carries is decided by the request's opcode
 * (see `responseKindFor`); on `err != 0` there is none.
 */
export type ResponseBody =
  | CreateResponse
  | Create2Response
  | StatResponse
  | GetDataResponse
  | GetACLResponse
  | GetChildrenResponse
  | GetChildren2Response
  | PathResponse
  | GetEphemeralsResponse
  | GetAllChildrenNumberResponse
  | ErrorResponse
  | WhoAmIResponse
  | SaslResponse
  | MultiResponse
  | null;
