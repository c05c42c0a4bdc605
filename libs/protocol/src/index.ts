export * from './types';
export * from './limits';
export { ProtocolError, UnknownOpcodeError, type ProtocolErrorKind } from './errors';
export { juteReader } from './jute';
export { statZero, readStat, writeStat, readAcl, writeAcl } from './records';
export { FrameParser, fourLetterWordOf, fourLetterWords, type FrameParserOptions } from './frame-parser';
export { encodeConnectRequest, decodeConnectRequest, encodeConnectResponse, decodeConnectResponse } from './connect';
export { encodeRequest, decodeRequest, isKnownRequestOpcode } from './requests';
export {
  encodeReply,
  decodeReplyHeader,
  decodeReplyBody,
  encodeNotification,
  decodeNotification,
  responseKind,
  responseKindFor,
  type ResponseKind,
} from './replies';
export { isValidPath } from './paths';
export { errorName, errorMessage, keeperErrorText } from './error-codes';
export * from './sasl-digest-md5';
export {
  operations,
  operationList,
  operationOf,
  isWrite,
  handlingOf,
  lastOpName,
  type BodyOf,
  type Handling,
  type MultiOpName,
  type Operation,
  type OperationNameOf,
  type OperationRow,
  type RecordCodec,
  type AnyRecordCodec,
} from './operations';
