/**
 * The ledger's own audit records live in a stream of their own, beside the positions and documents
 * (named in the domain's stream names, so the projections recognise it without the audit code).
 */
export { CHECKPOINT_STREAM, isAuditStream } from '../domain/stream-names';
export const CHECKPOINT_TYPE = 'CheckpointRecorded';
