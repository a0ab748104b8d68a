import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { EVENT_SCHEMA_VERSION, type DomainEvent } from '../domain/events';
import { eventHash } from '../integrity/event-hash';
import type { NewEvent } from '../store/event-store';
import type { LedgerEvent, LedgerMetadata } from './ledger-event';

export interface Actor {
  /** who records: a stable, non-secret id such as "secretariat/3f9a…" */
  readonly id: string;
}

export interface ExecuteOptions {
  /** the stream revision the client decided on (If-Match); a mismatch is refused, never merged */
  readonly expectedRevision?: number;
  /** with requestHash: makes the event ids deterministic, so a retried request cannot record twice */
  readonly idempotencyKey?: string;
  readonly requestHash?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
}

const IDEMPOTENT_IDS = '8f0f9f3e-6a4e-4b7e-9a53-7b1d2f0c6e21';

export interface EnvelopeContext {
  readonly streamId: string;
  /** the stream as read before deciding: its last hash and length place the new events */
  readonly history: readonly Pick<LedgerEvent, 'metadata'>[];
  readonly recordedAt: string;
  readonly actor: Actor;
  readonly options?: ExecuteOptions;
}

/** Wraps decided events for the store: ids, the ledger's metadata, and the hash chain of the stream. */
export function envelope(events: readonly DomainEvent[], at: EnvelopeContext): NewEvent[] {
  let prevHash = at.history.at(-1)?.metadata.hash ?? null;
  let revision = at.history.length;
  const { idempotencyKey, requestHash, correlationId, causationId } = at.options ?? {};
  return events.map((event, i) => {
    const eventId =
      idempotencyKey !== undefined ? uuidv5(`${at.actor.id}\n${idempotencyKey}\n${requestHash ?? ''}\n${i}`, IDEMPOTENT_IDS) : randomUUID();
    const schemaVersion = EVENT_SCHEMA_VERSION[event.type];
    const hash = eventHash({
      eventId,
      streamId: at.streamId,
      streamRevision: revision,
      type: event.type,
      schemaVersion,
      data: event.data,
      recordedAt: at.recordedAt,
      recordedBy: at.actor.id,
      prevHash,
    });
    const metadata: LedgerMetadata = withoutUndefined({
      schemaVersion,
      recordedAt: at.recordedAt,
      recordedBy: at.actor.id,
      correlationId,
      causationId,
      idempotencyKey,
      requestHash,
      prevHash,
      hash,
    });
    prevHash = hash;
    revision += 1;
    return { id: eventId, type: event.type, data: event.data as Record<string, unknown>, metadata };
  });
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
