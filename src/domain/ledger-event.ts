import { z } from 'zod';
import { EVENT_SCHEMAS, isEventType, type DomainEvent } from './events';
import { upcast as upcastData } from './upcast';
import type { NewEvent, StoredEvent } from '../store/event-store';

/** What the ledger puts in every event's metadata, beside the domain data. */
export const LedgerMetadata = z
  .strictObject({
    schemaVersion: z.number().int().min(1),
    recordedAt: z.iso.datetime({ offset: false }),
    recordedBy: z.string().min(1),
    correlationId: z.string().optional(),
    causationId: z.string().optional(),
    idempotencyKey: z.string().optional(),
    requestHash: z.string().optional(),
    prevHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .meta({ id: 'LedgerMetadata' });
export type LedgerMetadata = z.infer<typeof LedgerMetadata>;

export type LedgerEvent<E extends DomainEvent = DomainEvent> = E & {
  readonly eventId: string;
  readonly streamId: string;
  readonly streamRevision: number;
  readonly position: string;
  readonly metadata: LedgerMetadata;
};

export class InvalidRecordedEventError extends Error {
  constructor(
    readonly eventId: string,
    readonly streamId: string,
    readonly streamRevision: number,
    problem: string,
  ) {
    super(`event ${eventId} (${streamId}@${streamRevision}) is not a valid ledger event: ${problem}`);
    this.name = 'InvalidRecordedEventError';
  }
}

/** Upcasts a stored event from the schema version it was written at, then validates it against its type's schema; the only way stored data enters the domain. */
export function toLedgerEvent(stored: StoredEvent): LedgerEvent {
  const fail = (problem: string) => new InvalidRecordedEventError(stored.id, stored.streamId, stored.revision, problem);
  if (!isEventType(stored.type)) throw fail(`unknown type "${stored.type}"`);
  const metadata = LedgerMetadata.safeParse(stored.metadata);
  if (!metadata.success) throw fail(`metadata: ${z.prettifyError(metadata.error)}`);
  let upcast: Record<string, unknown>;
  try {
    upcast = upcastData(stored.type, metadata.data.schemaVersion, stored.data);
  } catch (error) {
    throw fail((error as Error).message);
  }
  const data = EVENT_SCHEMAS[stored.type].safeParse(upcast);
  if (!data.success) throw fail(`data: ${z.prettifyError(data.error)}`);
  return {
    type: stored.type,
    data: data.data,
    eventId: stored.id,
    streamId: stored.streamId,
    streamRevision: stored.revision,
    position: stored.position,
    metadata: metadata.data,
  } as LedgerEvent;
}

export function toNewEvent(e: LedgerEvent): NewEvent {
  return { id: e.eventId, type: e.type, data: e.data as Record<string, unknown>, metadata: e.metadata };
}
