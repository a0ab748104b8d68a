import { businessDayOf } from '../domain/business-date';
import type { Command, DecisionContext, DocumentCommand, PositionCommand } from '../domain/commands';
import { documentDecider, type DocumentContext, type DocumentEvent, type DocumentState } from '../domain/document';
import { errors } from '../domain/errors';
import { EVENT_SCHEMA_VERSION, type PositionEvent } from '../domain/events';
import { toLedgerEvent, type LedgerEvent } from '../domain/ledger-event';
import { positionDecider } from '../domain/position/decide';
import { addedOnOf, type PositionState } from '../domain/position/state';
import { documentStream, positionStream } from '../domain/stream-names';
import type { EventStore } from '../store/event-store';
import { CommandHandler, type Actor, type Addressed, type HandleOptions, type StateOf, type StreamKind } from './command-handler';
import { StaleRevisionError } from './errors';

export type { Actor, HandleOptions as ExecuteOptions } from './command-handler';

export const positionKind: StreamKind<PositionState, PositionCommand, PositionEvent, DecisionContext> = {
  decider: positionDecider,
  read: (stored) => toLedgerEvent(stored) as LedgerEvent<PositionEvent>,
  schemaVersion: (type) => EVENT_SCHEMA_VERSION[type],
};

export const documentKind: StreamKind<DocumentState, DocumentCommand, DocumentEvent, DocumentContext> = {
  decider: documentDecider,
  read: (stored) => toLedgerEvent(stored) as LedgerEvent<DocumentEvent>,
  schemaVersion: (type) => EVENT_SCHEMA_VERSION[type],
};

export interface Recorded {
  readonly streamId: string;
  /** the events this command recorded (on a replayed retry: the ones recorded the first time) */
  readonly events: readonly LedgerEvent[];
  /** the stream's revision after them (the ETag) */
  readonly streamRevision: number;
  /** true when a retried request was answered with what the first one recorded */
  readonly replayed: boolean;
}

export interface LedgerOptions {
  readonly historyStart: string;
  readonly now?: () => Date;
}

export interface BulkEntry {
  readonly command: Command;
  readonly actor: Actor;
  readonly options?: HandleOptions;
}

/**
 * The ledger's commands addressed to their deciders: which stream a command goes to and what its
 * decision depends on besides that stream. The writing itself is the generic CommandHandler's.
 */
export class Ledger {
  readonly handler: CommandHandler;

  constructor(
    readonly store: EventStore,
    private readonly options: LedgerOptions,
  ) {
    this.handler = new CommandHandler(store, { now: options.now });
  }

  async execute(command: Command, actor: Actor, options: HandleOptions = {}): Promise<Recorded> {
    try {
      const handled = await this.handler.handle(this.address(command) as Addressed<unknown, Command, PositionEvent, unknown>, actor, options);
      return {
        streamId: handled.streamId,
        events: handled.events as readonly LedgerEvent[],
        streamRevision: handled.streamRevision,
        replayed: handled.replayed,
      };
    } catch (error) {
      // If-Match on a position that does not exist is a 404, not a stale revision
      if (error instanceof StaleRevisionError && error.actual === -1) throw errors.positionNotFound(idOf(command));
      throw error;
    }
  }

  /**
   * Decides every command in memory, in order, then records them all at once (one transaction on
   * SQLite): all or nothing. Entries already recorded under their idempotency key are skipped.
   */
  executeAll(entries: readonly BulkEntry[], onDecided?: (done: number) => void): Promise<{ replayed: boolean; events: number }[]> {
    return this.handler.handleAll(
      entries.map((e) => ({ addressed: this.address(e.command) as never, actor: e.actor, options: e.options })),
      onDecided,
    );
  }

  private address(command: Command): Addressed<unknown, unknown, { type: string; data: unknown }, unknown> {
    if (command.type === 'RegisterDocument') {
      const addressed: Addressed<DocumentState, DocumentCommand, DocumentEvent, DocumentContext> = {
        kind: documentKind,
        streamId: documentStream(command.data.id),
        command,
        context: ({ recordedAt }) => ({ today: businessDayOf(recordedAt) }),
      };
      return addressed as never;
    }
    const addressed: Addressed<PositionState, PositionCommand, PositionEvent, DecisionContext> = {
      kind: positionKind,
      streamId: positionStream(idOf(command)),
      command,
      context: ({ recordedAt, stateOf }) => this.context(command, recordedAt, stateOf),
    };
    return addressed as never;
  }

  private async context(command: PositionCommand, recordedAt: string, stateOf: StateOf): Promise<DecisionContext> {
    const registered = new Set<string>();
    for (const id of citedDocuments(command)) {
      if (((await stateOf(documentKind as never, documentStream(id))) as DocumentState).registered) registered.add(id);
    }
    const addedOn = new Map<string, string>();
    for (const id of relatedPositions(command)) {
      const on = addedOnOf((await stateOf(positionKind as never, positionStream(id))) as PositionState);
      if (on !== undefined) addedOn.set(id, on);
    }
    return {
      today: businessDayOf(recordedAt),
      historyStart: this.options.historyStart,
      isDocumentRegistered: (id) => registered.has(id),
      positionAddedOn: (id) => addedOn.get(id),
    };
  }
}

function relatedPositions(command: PositionCommand): string[] {
  const relations =
    command.type === 'AddPosition' || command.type === 'RevisePosition'
      ? command.data.relatesTo
      : command.type === 'CorrectRecord'
        ? command.data.changes.relatesTo
        : undefined;
  return (relations ?? []).map((r) => r.positionId);
}

function idOf(command: Command): string {
  if (command.type === 'AddPosition' || command.type === 'RegisterDocument') return command.data.id;
  return command.positionId;
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
