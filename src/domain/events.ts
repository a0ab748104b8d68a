import { z } from 'zod';
import { Addressees, BusinessDateText, Reason, Relations, Slug, SourceCitation, Statement, Themes, Title } from './primitives';

/**
 * The ledger's events. Each has one zod schema (the single definition from which the TypeScript
 * type, the JSON Schema in events/schemas and the OpenAPI document are derived) and a schema
 * version, stored with the event so that later versions can be upcast on read.
 */
export const PositionAdded = z
  .strictObject({
    positionId: Slug,
    title: Title,
    statement: Statement,
    themes: Themes,
    addressees: Addressees,
    decidedOn: BusinessDateText,
    source: SourceCitation,
    relatesTo: Relations.optional(),
    note: Reason.optional(),
  })
  .meta({ id: 'PositionAdded', description: 'A position was adopted (text revision 1).' });

export const PositionRevised = z
  .strictObject({
    positionId: Slug,
    revision: z.number().int().min(2).meta({ description: 'the text revision this event creates' }),
    title: Title.optional(),
    statement: Statement.optional(),
    themes: Themes.optional(),
    addressees: Addressees.optional(),
    decidedOn: BusinessDateText,
    source: SourceCitation,
    relatesTo: Relations.optional(),
    rationale: Reason,
  })
  .meta({ id: 'PositionRevised', description: 'The working group restated a position; only the changed fields are present.' });

export const PositionEndorsed = z
  .strictObject({
    positionId: Slug,
    revision: z.number().int().min(1),
    endorsedBy: Title,
    decidedOn: BusinessDateText,
    reference: Reason.optional(),
  })
  .meta({ id: 'PositionEndorsed', description: 'A body endorsed one text revision of a position.' });

export const PositionWithdrawn = z
  .strictObject({ positionId: Slug, decidedOn: BusinessDateText, reason: Reason })
  .meta({ id: 'PositionWithdrawn', description: 'The position was withdrawn; nothing may follow it in business time.' });

/** Fields a correction may replace, per corrected event type; anything else is history, not a recording mistake. */
export const CorrectionChanges = z
  .strictObject({
    title: Title.optional(),
    statement: Statement.optional(),
    themes: Themes.optional(),
    addressees: Addressees.optional(),
    decidedOn: BusinessDateText.optional(),
    source: SourceCitation.optional(),
    relatesTo: Relations.optional(),
    note: Reason.optional(),
    rationale: Reason.optional(),
    endorsedBy: Title.optional(),
    reference: Reason.optional(),
    reason: Reason.optional(),
  })
  .refine((c) => Object.keys(c).length > 0, 'must correct at least one field')
  .meta({ id: 'CorrectionChanges' });

export const PositionRecordCorrected = z
  .strictObject({
    positionId: Slug,
    correctsEventId: z.uuid(),
    changes: CorrectionChanges,
    reason: Reason,
  })
  .meta({
    id: 'PositionRecordCorrected',
    description: 'A recording mistake in an earlier event of the stream is fixed; the corrected event stays as it was recorded.',
  });

export const SourceDocumentRegistered = z
  .strictObject({
    documentId: Slug,
    title: Title,
    publisher: Title,
    issuedOn: BusinessDateText,
    language: z.string().regex(/^[a-z]{2,3}$/, 'must be an ISO 639 language code such as "en"'),
    file: z
      .string()
      .max(200)
      .regex(/^(?!\.\.?$)[^/\\\u0000]+$/, 'must be a bare file name in the sources directory, without a path')
      .optional(),
    contentSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    note: Reason.optional(),
  })
  .meta({ id: 'SourceDocumentRegistered', description: 'A source document the positions cite.' });

export const EVENT_SCHEMAS = {
  PositionAdded,
  PositionRevised,
  PositionEndorsed,
  PositionWithdrawn,
  PositionRecordCorrected,
  SourceDocumentRegistered,
} as const;

/** v2 of PositionAdded, PositionRevised and PositionRecordCorrected: optional `relatesTo` (a v1 event is a valid v2 event). */
export const EVENT_SCHEMA_VERSION: Record<EventType, number> = {
  PositionAdded: 2,
  PositionRevised: 2,
  PositionEndorsed: 1,
  PositionWithdrawn: 1,
  PositionRecordCorrected: 2,
  SourceDocumentRegistered: 1,
};

export type EventType = keyof typeof EVENT_SCHEMAS;
/** The event types, from the registry itself. */
export const EventTypeName = z.enum(Object.keys(EVENT_SCHEMAS) as [EventType, ...EventType[]]);
/** The working group's decisions on a position: what a timeline lists (a correction is shown beside what it corrects). */
export const DecisionType = EventTypeName.exclude(['PositionRecordCorrected', 'SourceDocumentRegistered']);
export type EventDataOf<T extends EventType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;
export type DomainEvent = { [T in EventType]: { type: T; data: EventDataOf<T> } }[EventType];
export type PositionEvent = Exclude<DomainEvent, { type: 'SourceDocumentRegistered' }>;

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_SCHEMAS, type);
}
