import { z } from 'zod';
import { PositionAdded, PositionEndorsed, PositionRecordCorrected, PositionRevised, PositionWithdrawn, SourceDocumentRegistered } from './events';
import { Slug } from './primitives';

/**
 * Command bodies: what a client sends. The API validates requests with exactly these schemas.
 * Each is derived from the event it records, so a field is defined once: the ledger adds what the
 * client may not choose (the position id comes from the path, the revision number from the stream).
 */
export const AddPositionBody = PositionAdded.omit({ positionId: true })
  .extend({ id: Slug.meta({ description: 'stable id of the new position' }) })
  .meta({ id: 'AddPositionBody' });

export const RevisePositionBody = PositionRevised.omit({ positionId: true, revision: true }).meta({ id: 'RevisePositionBody' });

export const EndorsePositionBody = PositionEndorsed.omit({ positionId: true })
  .extend({ revision: PositionEndorsed.shape.revision.meta({ description: 'the text revision endorsed (1 = as added)' }) })
  .meta({ id: 'EndorsePositionBody' });

export const WithdrawPositionBody = PositionWithdrawn.omit({ positionId: true }).meta({ id: 'WithdrawPositionBody' });

export const CorrectRecordBody = PositionRecordCorrected.omit({ positionId: true, correctsEventId: true })
  .extend({ eventId: PositionRecordCorrected.shape.correctsEventId.meta({ description: 'id of the event of this position that was recorded wrongly' }) })
  .meta({ id: 'CorrectRecordBody' });

export const RegisterDocumentBody = SourceDocumentRegistered.omit({ documentId: true })
  .extend({ id: Slug.meta({ description: 'stable id of the document' }) })
  .meta({ id: 'RegisterDocumentBody' });

export type AddPositionBody = z.infer<typeof AddPositionBody>;
export type RevisePositionBody = z.infer<typeof RevisePositionBody>;
export type EndorsePositionBody = z.infer<typeof EndorsePositionBody>;
export type WithdrawPositionBody = z.infer<typeof WithdrawPositionBody>;
export type CorrectRecordBody = z.infer<typeof CorrectRecordBody>;
export type RegisterDocumentBody = z.infer<typeof RegisterDocumentBody>;

export type PositionCommand =
  | { type: 'AddPosition'; data: AddPositionBody }
  | { type: 'RevisePosition'; positionId: string; data: RevisePositionBody }
  | { type: 'EndorsePosition'; positionId: string; data: EndorsePositionBody }
  | { type: 'WithdrawPosition'; positionId: string; data: WithdrawPositionBody }
  | { type: 'CorrectRecord'; positionId: string; data: CorrectRecordBody };

export type DocumentCommand = { type: 'RegisterDocument'; data: RegisterDocumentBody };
export type Command = PositionCommand | DocumentCommand;

export const COMMAND_BODIES = {
  AddPosition: AddPositionBody,
  RevisePosition: RevisePositionBody,
  EndorsePosition: EndorsePositionBody,
  WithdrawPosition: WithdrawPositionBody,
  CorrectRecord: CorrectRecordBody,
  RegisterDocument: RegisterDocumentBody,
} as const;
export type CommandType = keyof typeof COMMAND_BODIES;

/** What a decision may depend on besides the stream: handed in by the caller, so deciding stays pure. */
export interface DecisionContext {
  /** today's date in business time (Europe/Brussels), from the ledger's clock */
  readonly today: string;
  /** first day of history, yyyy-mm-dd (default 2006-01-01) */
  readonly historyStart: string;
  readonly isDocumentRegistered: (documentId: string) => boolean;
  /** the decidedOn of a position's addition (corrections applied), undefined when no such position is recorded */
  readonly positionAddedOn: (positionId: string) => string | undefined;
}
