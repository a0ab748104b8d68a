/**
 * The names of the ledger's streams, said once. Writers, read models and auditors all name a
 * stream through these functions, so a rename is one edit and no view can drift from the writer.
 */
const POSITION = 'position-';
const DOCUMENT = 'document-';

export const positionStream = (positionId: string): string => `${POSITION}${positionId}`;
export const documentStream = (documentId: string): string => `${DOCUMENT}${documentId}`;

/** The ledger's own audit records (Merkle checkpoints) live in a stream beside positions and documents. */
export const CHECKPOINT_STREAM = 'ledger-checkpoints';

/** Every stream the ledger writes starts with one of these: what a shared database filters the ledger's own by. */
export const LEDGER_STREAM_PREFIXES: readonly string[] = [POSITION, DOCUMENT, CHECKPOINT_STREAM];

export const isPositionStream = (streamId: string): boolean => streamId.startsWith(POSITION);
export const isDocumentStream = (streamId: string): boolean => streamId.startsWith(DOCUMENT);
/** Streams that hold the ledger's audit records, not positions or documents. */
export const isAuditStream = (streamId: string): boolean => streamId === CHECKPOINT_STREAM;

/** The position a stream belongs to, or undefined for any other stream. */
export const positionIdOfStream = (streamId: string): string | undefined => (isPositionStream(streamId) ? streamId.slice(POSITION.length) : undefined);
