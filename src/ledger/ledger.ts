import { businessDayOf } from '../domain/business-date';
import type { Command, DecisionContext, DocumentCommand, PositionCommand } from '../domain/commands';
import { decideDocument, evolveDocument, initialDocumentState } from '../domain/document';
import { errors } from '../domain/errors';
import { documentStream, positionStream, type PositionEvent } from '../domain/events';
import { decidePosition } from '../domain/position/decide';
import { foldPosition } from '../domain/position/history';
import { evolvePosition, initialPositionState, type PositionState } from '../domain/position/state';
import { WrongExpectedRevisionError, type EventStore } from '../store/event-store';
import { envelope } from './envelope';
import type { Actor, ExecuteOptions } from './envelope';
import { IdempotencyKeyReusedError, StaleRevisionError } from './errors';
import { toLedgerEvent, type LedgerEvent } from './ledger-event';

export type { Actor, ExecuteOptions } from './envelope';

export interface Recorded {
  readonly streamId: string;
  /** the events this command recorded (on a replayed retry: the ones recorded the first time) */
  readonly events: readonly LedgerEvent[];
  /** the stream up to and including those events */
  readonly stream: readonly LedgerEvent[];
  /** true when a retried request was answered with what the first one recorded */
  readonly replayed: boolean;
}

export interface LedgerOptions {
  readonly historyStart: string;
  readonly now?: () => Date;
}

const MAX_ATTEMPTS = 5;

/**
 * Command handling: load the stream, decide, chain the hashes, append with the revision decided
 * on. It is the only writer of domain events, so every event carries the ledger's recordedAt,
 * recordedBy and hash chain, whatever the entry point (API, CLI import, tests).
 */
export class Ledger {
  private readonly now: () => Date;

  constructor(
    readonly store: EventStore,
    private readonly options: LedgerOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** The same rules and clock on another store: a rehearsal on a scratch copy. */
  on(store: EventStore): Ledger {
    return new Ledger(store, this.options);
  }

  async execute(command: Command, actor: Actor, options: ExecuteOptions = {}): Promise<Recorded> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.attempt(command, actor, options);
      } catch (error) {
        // Without If-Match the client asked for "on the current state": decide again on the new one.
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        // With If-Match the client decided on a revision that someone else has just moved past.
        if (options.expectedRevision !== undefined) {
          throw new StaleRevisionError(error.streamId, options.expectedRevision, typeof error.actual === 'number' ? error.actual : -1);
        }
        if (attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  private async attempt(command: Command, actor: Actor, options: ExecuteOptions): Promise<Recorded> {
    const streamId = streamOf(command);
    const history = (await this.store.readStream(streamId)).map(toLedgerEvent);
    const replay = this.replayed(history, actor, options);
    if (replay) return { streamId, events: replay, stream: history.filter((e) => e.streamRevision <= replay.at(-1)!.streamRevision), replayed: true };
    const current = history.length - 1;
    if (options.expectedRevision !== undefined && options.expectedRevision !== current) {
      if (current === -1) throw errors.positionNotFound(command.type === 'RegisterDocument' ? command.data.id : positionIdOf(command));
      throw new StaleRevisionError(streamId, options.expectedRevision, current);
    }
    const recordedAt = this.now().toISOString();
    const decided = command.type === 'RegisterDocument'
      ? decideDocument(command, history.reduce((s, e) => (e.type === 'SourceDocumentRegistered' ? evolveDocument(s, e) : s), initialDocumentState), businessDayOf(recordedAt))
      : decidePosition(command, positionState(history), await this.context(command, recordedAt));

    const newEvents = envelope(decided, { streamId, history, recordedAt, actor, options });
    const result = await this.store.append(streamId, newEvents, current === -1 ? 'no-stream' : current);
    const appended = (await this.store.readStream(streamId, { fromRevision: result.nextExpectedRevision - newEvents.length + 1 })).map(toLedgerEvent);
    const events = appended.slice(0, newEvents.length);
    return { streamId, events, stream: [...history, ...events], replayed: false };
  }

  /** A retried request whose events are already in the stream gets them back instead of a second decision. */
  private replayed(history: readonly LedgerEvent[], actor: Actor, options: ExecuteOptions): LedgerEvent[] | undefined {
    const { idempotencyKey: key, requestHash } = options;
    if (key === undefined) return undefined;
    const earlier = history.filter((e) => e.metadata.idempotencyKey === key && e.metadata.recordedBy === actor.id);
    if (earlier.length === 0) return undefined;
    if (earlier.some((e) => e.metadata.requestHash !== requestHash)) throw new IdempotencyKeyReusedError(key);
    return earlier;
  }

  private async context(command: PositionCommand, recordedAt: string): Promise<DecisionContext> {
    const cited = citedDocuments(command);
    const registered = new Set<string>();
    for (const id of cited) {
      if ((await this.store.readStream(documentStream(id), { maxCount: 1 })).length > 0) registered.add(id);
    }
    const addedOn = new Map<string, string>();
    for (const id of relatedPositions(command)) {
      const fold = foldPosition(positionState((await this.store.readStream(positionStream(id))).map(toLedgerEvent)).entries);
      if (fold) addedOn.set(id, fold.addedOn);
    }
    return {
      today: businessDayOf(recordedAt),
      historyStart: this.options.historyStart,
      isDocumentRegistered: (id) => registered.has(id),
      positionAddedOn: (id) => addedOn.get(id),
    };
  }
}

export function positionState(history: readonly LedgerEvent[]): PositionState {
  return history.reduce(
    (state, e) => (e.type === 'SourceDocumentRegistered' ? state : evolvePosition(state, { eventId: e.eventId, streamRevision: e.streamRevision, event: e as PositionEvent })),
    initialPositionState,
  );
}

function streamOf(command: Command): string {
  if (command.type === 'RegisterDocument') return documentStream(command.data.id);
  return positionStream(positionIdOf(command));
}

function positionIdOf(command: PositionCommand | DocumentCommand): string {
  if (command.type === 'AddPosition' || command.type === 'RegisterDocument') return command.data.id;
  return command.positionId;
}

function relatedPositions(command: PositionCommand): string[] {
  const relations = command.type === 'AddPosition' || command.type === 'RevisePosition' ? command.data.relatesTo : command.type === 'CorrectRecord' ? command.data.changes.relatesTo : undefined;
  return (relations ?? []).map((r) => r.positionId);
}

function citedDocuments(command: PositionCommand): string[] {
  switch (command.type) {
    case 'AddPosition':
    case 'RevisePosition':
      return [command.data.source.documentId];
    case 'CorrectRecord':
      return command.data.changes.source ? [command.data.changes.source.documentId] : [];
    default:
      return [];
  }
}

