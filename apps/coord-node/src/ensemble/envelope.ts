/** What travels inside ZAB payloads lives in @coord/envelope (the simulator runs the same bytes). */
export { decodeRequest, decodeTxnPayload, encodeRequest, encodeTxnPayload, isTxnPayload, type EnsembleTxn } from '@coord/envelope';
