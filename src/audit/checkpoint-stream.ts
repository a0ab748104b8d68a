/**
 * The ledger's own audit records live in a stream of their own, beside the positions and documents.
 * This module imports nothing, so that the projections can recognise (and leave out) the stream
 * without depending on the audit code.
 */
export const CHECKPOINT_STREAM = 'ledger-checkpoints';
export const CHECKPOINT_TYPE = 'CheckpointRecorded';

/** Streams that hold the ledger's audit records, not positions or documents. */
export function isAuditStream(streamId: string): boolean {
  return streamId === CHECKPOINT_STREAM;
}
