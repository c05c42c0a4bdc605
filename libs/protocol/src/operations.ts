/**
 * The one opcode table: a row per ZooKeeper operation (OpCode), saying what its request and reply carry
 * and how the server treats it. Every other opcode map derives from it: the request codecs and
 * `Request` type, the reply records (`responseKind`), the ops allowed inside multi and multiRead, `isWrite`,
 * the server's read dispatch and the `lop` names of the four-letter words. The compiler checks the table
 * covers every OpCode; operations.spec.ts checks the derived maps agree with it.
 * Adding an operation: docs/contributing.md, "Add an operation".
 */
import type { ByteReader, ByteWriter } from '@coord/bytes';
import { readMultiRequest, writeMultiRequest, type MultiOpCodec } from './multi';
import * as rec from './request-records';
import {
  OpCode,
  type AddWatchRequest,
  type AuthPacket,
  type CheckVersionRequest,
  type CreateRequest,
  type CreateTTLRequest,
  type DeleteRequest,
  type MultiRequest,
  type OpCodeName,
  type PathRequest,
  type PathWatchRequest,
  type ReconfigRequest,
  type SaslRequest,
  type SetACLRequest,
  type SetDataRequest,
  type SetWatches2Request,
  type SetWatchesRequest,
  type WatchesRequest,
} from './types';

/** How a record is written after its header and read back. */
export interface RecordCodec<T> {
  write(w: ByteWriter, value: T): void;
  read(r: ByteReader): T;
}

/** Any record's codec, as the table and the maps derived from it hold them. */
export interface AnyRecordCodec {
  write(w: ByteWriter, value: never): void;
  read(r: ByteReader): unknown;
}

function codec<T>(write: (w: ByteWriter, value: T) => void, read: (r: ByteReader) => T): RecordCodec<T> {
  return { write, read };
}

/** Which response record a successful reply to an opcode carries ('none': the ReplyHeader alone). */
export type ResponseKind =
  | 'none'
  | 'create'
  | 'create2'
  | 'stat'
  | 'getData'
  | 'getACL'
  | 'children'
  | 'children2'
  | 'path'
  | 'ephemerals'
  | 'allChildrenNumber'
  | 'error'
  | 'whoAmI'
  | 'sasl'
  | 'multi';

/**
 * Where the server's front sends a request (ZooKeeper's request processors):
 * - `write`: prepared by the sequencer into a txn, answered once the txn is applied (`isWrite`);
 * - `read`: answered from the committed tree by the server's read operations, in connection order;
 * - `sync`: a read barrier, answered once this member has applied what the leader had committed;
 * - `ping`: answered in connection order, never refused by the outstanding-requests limit;
 * - `closeSession`: ordered like a write (every member closes the session), answered when applied;
 * - `auth`: an AuthPacket, answered by the front at once (allowed before authentication is enforced);
 * - `sasl`: answered by the front when SASL is configured, AUTHFAILED from the read path otherwise;
 * - `multiOnly`: only valid inside multi (check): outside it UNIMPLEMENTED, then the connection closes;
 * - `none`: never a client request (notification, error, createSession): decodeRequest refuses it.
 */
export type Handling = 'write' | 'read' | 'sync' | 'ping' | 'closeSession' | 'auth' | 'sasl' | 'multiOnly' | 'none';

export interface OperationRow {
  readonly code: number;
  /** The request record after the RequestHeader: null for the header alone, undefined for non-requests. */
  readonly request: AnyRecordCodec | null | undefined;
  readonly response: ResponseKind;
  readonly handling: Handling;
  /** 'write' ops may appear in multi, 'read' ops in multiRead (never mixed); false elsewhere. */
  readonly inMulti: 'write' | 'read' | false;
  /** The `lop` abbreviation FinalRequestProcessor records for cons/mntr; absent: ZooKeeper shows NA. */
  readonly lastOp?: string;
}

const createCodec = codec<CreateRequest>(rec.writeCreate, rec.readCreate);
const pathWatchCodec = codec<PathWatchRequest>(rec.writePathWatch, rec.readPathWatch);
const pathCodec = codec<PathRequest>(rec.writePath, rec.readPath);
const deleteCodec = codec<DeleteRequest>(rec.writePathVersion, rec.readPathVersion);
const checkCodec = codec<CheckVersionRequest>(rec.writePathVersion, rec.readPathVersion);
const watchesCodec = codec<WatchesRequest>(rec.writeWatches, rec.readWatches);
// multi's record is a list of other operations' records: the table says which may appear and how each is coded.
const multiCodec = codec<MultiRequest>(
  (w, v) => writeMultiRequest(w, v, multiOpOf),
  (r) => readMultiRequest(r, multiOpOf),
);

/** The table, keyed by OpCode name; `satisfies` makes the compiler check every name has its row and code. */
export const operations = {
  notification: { code: OpCode.notification, request: undefined, response: 'none', handling: 'none', inMulti: false },
  create: { code: OpCode.create, request: createCodec, response: 'create', handling: 'write', inMulti: 'write', lastOp: 'CREA' },
  delete: { code: OpCode.delete, request: deleteCodec, response: 'none', handling: 'write', inMulti: 'write', lastOp: 'DELE' },
  exists: { code: OpCode.exists, request: pathWatchCodec, response: 'stat', handling: 'read', inMulti: false, lastOp: 'EXIS' },
  getData: { code: OpCode.getData, request: pathWatchCodec, response: 'getData', handling: 'read', inMulti: 'read', lastOp: 'GETD' },
  setData: { code: OpCode.setData, request: codec<SetDataRequest>(rec.writeSetData, rec.readSetData), response: 'stat', handling: 'write', inMulti: 'write', lastOp: 'SETD' },
  getACL: { code: OpCode.getACL, request: pathCodec, response: 'getACL', handling: 'read', inMulti: false, lastOp: 'GETA' },
  setACL: { code: OpCode.setACL, request: codec<SetACLRequest>(rec.writeSetACL, rec.readSetACL), response: 'stat', handling: 'write', inMulti: false, lastOp: 'SETA' },
  getChildren: { code: OpCode.getChildren, request: pathWatchCodec, response: 'children', handling: 'read', inMulti: 'read', lastOp: 'GETC' },
  sync: { code: OpCode.sync, request: pathCodec, response: 'path', handling: 'sync', inMulti: false, lastOp: 'SYNC' },
  ping: { code: OpCode.ping, request: null, response: 'none', handling: 'ping', inMulti: false, lastOp: 'PING' },
  getChildren2: { code: OpCode.getChildren2, request: pathWatchCodec, response: 'children2', handling: 'read', inMulti: false, lastOp: 'GETC' },
  check: { code: OpCode.check, request: checkCodec, response: 'none', handling: 'multiOnly', inMulti: 'write', lastOp: 'CHEC' },
  multi: { code: OpCode.multi, request: multiCodec, response: 'multi', handling: 'write', inMulti: false, lastOp: 'MULT' },
  // createContainer and createTTL answer with Create2Response, as the server's FinalRequestProcessor does.
  create2: { code: OpCode.create2, request: createCodec, response: 'create2', handling: 'write', inMulti: 'write', lastOp: 'CREA' },
  // reconfig answers with the new config as a GetDataResponse.
  reconfig: { code: OpCode.reconfig, request: codec<ReconfigRequest>(rec.writeReconfig, rec.readReconfig), response: 'getData', handling: 'write', inMulti: false, lastOp: 'RECO' },
  checkWatches: { code: OpCode.checkWatches, request: watchesCodec, response: 'none', handling: 'read', inMulti: false, lastOp: 'CHKW' },
  removeWatches: { code: OpCode.removeWatches, request: watchesCodec, response: 'none', handling: 'read', inMulti: false, lastOp: 'REMW' },
  createContainer: { code: OpCode.createContainer, request: createCodec, response: 'create2', handling: 'write', inMulti: 'write', lastOp: 'CREA' },
  deleteContainer: { code: OpCode.deleteContainer, request: pathCodec, response: 'none', handling: 'write', inMulti: false, lastOp: 'DELE' },
  createTTL: { code: OpCode.createTTL, request: codec<CreateTTLRequest>(rec.writeCreateTTL, rec.readCreateTTL), response: 'create2', handling: 'write', inMulti: 'write', lastOp: 'CREA' },
  multiRead: { code: OpCode.multiRead, request: multiCodec, response: 'multi', handling: 'read', inMulti: false, lastOp: 'MLTR' },
  auth: { code: OpCode.auth, request: codec<AuthPacket>(rec.writeAuth, rec.readAuth), response: 'none', handling: 'auth', inMulti: false },
  setWatches: { code: OpCode.setWatches, request: codec<SetWatchesRequest>(rec.writeSetWatches, rec.readSetWatches), response: 'none', handling: 'read', inMulti: false, lastOp: 'SETW' },
  sasl: { code: OpCode.sasl, request: codec<SaslRequest>(rec.writeSasl, rec.readSasl), response: 'sasl', handling: 'sasl', inMulti: false },
  getEphemerals: { code: OpCode.getEphemerals, request: pathCodec, response: 'ephemerals', handling: 'read', inMulti: false, lastOp: 'GETE' },
  getAllChildrenNumber: { code: OpCode.getAllChildrenNumber, request: pathCodec, response: 'allChildrenNumber', handling: 'read', inMulti: false, lastOp: 'GETACN' },
  setWatches2: { code: OpCode.setWatches2, request: codec<SetWatches2Request>(rec.writeSetWatches2, rec.readSetWatches2), response: 'none', handling: 'read', inMulti: false, lastOp: 'STW2' },
  // addWatch answers with a 4-byte ErrorResponse{0}; the Java client reads it.
  addWatch: { code: OpCode.addWatch, request: codec<AddWatchRequest>(rec.writeAddWatch, rec.readAddWatch), response: 'error', handling: 'read', inMulti: false, lastOp: 'ADDW' },
  whoAmI: { code: OpCode.whoAmI, request: null, response: 'whoAmI', handling: 'read', inMulti: false, lastOp: 'HOMI' },
  createSession: { code: OpCode.createSession, request: undefined, response: 'none', handling: 'none', inMulti: false, lastOp: 'SESS' },
  closeSession: { code: OpCode.closeSession, request: null, response: 'none', handling: 'closeSession', inMulti: false, lastOp: 'CLOS' },
  // error is the type of an ErrorResult inside a multi response, never a request's opcode.
  error: { code: OpCode.error, request: undefined, response: 'none', handling: 'none', inMulti: false },
} as const satisfies { readonly [K in OpCodeName]: OperationRow & { readonly code: (typeof OpCode)[K] } };

type Rows = typeof operations;

/** The request record's type of the operation `K` (null for header-only requests, never for non-requests). */
export type BodyOf<K extends OpCodeName> = Rows[K]['request'] extends RecordCodec<infer B> ? B : Rows[K]['request'] extends null ? null : never;

/** The names of the operations handled as `H`. */
export type OperationNameOf<H extends Handling> = { [K in OpCodeName]: Rows[K]['handling'] extends H ? K : never }[OpCodeName];

/** The names of the operations that may appear inside multi ('write') or multiRead ('read'). */
export type MultiOpName = { [K in OpCodeName]: Rows[K]['inMulti'] extends false ? never : K }[OpCodeName];

/**
 * A decoded client request: the opcode (from the RequestHeader) selects the record.
 * Opcodes with no body (ping, closeSession, whoAmI) carry `body: null`.
 */
export type Request = { [K in OpCodeName]: [BodyOf<K>] extends [never] ? never : { type: Rows[K]['code']; body: BodyOf<K> } }[OpCodeName];

/** One op inside multi / multiRead. `type` is the op's opcode. */
export type MultiOp = { [K in MultiOpName]: { type: Rows[K]['code']; request: BodyOf<K> } }[MultiOpName];

/** One row with its name, for code that walks the table. */
export interface Operation extends OperationRow {
  readonly name: OpCodeName;
}

/** Every row, in OpCode order. */
export const operationList: readonly Operation[] = (Object.keys(operations) as OpCodeName[]).map((name) => ({ name, ...operations[name] }));

const byCode = new Map<number, Operation>(operationList.map((o) => [o.code, o]));

/** The row of an opcode; undefined for a code ZooKeeper does not define. */
export function operationOf(code: number): Operation | undefined {
  return byCode.get(code);
}

const multiOps = new Map<number, MultiOpCodec>(
  operationList.flatMap((o) => (o.inMulti === false || !o.request ? [] : [[o.code, { codec: o.request, inMulti: o.inMulti }] as const])),
);

/** How an op inside multi / multiRead is coded; undefined for an opcode that cannot appear there. */
function multiOpOf(code: number): MultiOpCodec | undefined {
  return multiOps.get(code);
}

const writeCodes = new Set(operationList.filter((o) => o.handling === 'write').map((o) => o.code));

/** True for the operations that change the tree through a txn (create, delete, setData, setACL, multi, ...). */
export function isWrite(code: number): boolean {
  return writeCodes.has(code);
}

/** How the server's front treats an opcode; 'none' for codes no client sends. */
export function handlingOf(code: number): Handling {
  return byCode.get(code)?.handling ?? 'none';
}

/** The `lop` name ZooKeeper's cons shows for an opcode (`NA` for anything it does not name). */
export function lastOpName(code: number): string {
  return byCode.get(code)?.lastOp ?? 'NA';
}
