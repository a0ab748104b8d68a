import { CommandHandler, type Actor, type StreamKind } from '../command-handling/command-handler';
import { StaleRevisionError } from '../command-handling/errors';
import { LedgerMetadata } from '../domain/ledger-event';
import type { EventStore } from '../store/event-store';
import { Checkpoint, CHECKPOINT_SCHEMA_VERSION, computeCheckpoint, latestCheckpoint, type RecordedCheckpoint } from './checkpoint';
import { CHECKPOINT_STREAM, CHECKPOINT_TYPE } from './checkpoint-stream';
import { readWholeLedger } from './read-ledger';
import { verifyLedger } from './verify';

/** The ledger refuses to vouch, by a checkpoint, for a ledger that does not verify. */
export class UnverifiedLedgerError extends Error {
  constructor(readonly problems: readonly { problem: string }[]) {
    super(
      `no checkpoint recorded: the ledger does not verify (${problems.length} problem${problems.length === 1 ? '' : 's'}; first: ${problems[0]?.problem ?? '?'})`,
    );
    this.name = 'UnverifiedLedgerError';
  }
}

export interface RecordCheckpointOptions {
  readonly actor: Actor;
  readonly now?: () => Date;
  /** record nothing when the latest checkpoint is already the last event of the ledger */
  readonly onlyIfChanged?: boolean;
}

export interface CheckpointOutcome {
  readonly recorded: boolean;
  readonly checkpoint: RecordedCheckpoint | undefined;
}

type CheckpointEvent = { type: typeof CHECKPOINT_TYPE; data: Checkpoint };
type RecordCheckpointCommand = { type: 'RecordCheckpoint'; data: Checkpoint };

/** The checkpoint stream as a decider: a checkpoint computed over the ledger is recorded as it is. */
export const checkpointKind: StreamKind<null, RecordCheckpointCommand, CheckpointEvent, void> = {
  decider: { initialState: null, decide: (command) => [{ type: CHECKPOINT_TYPE, data: command.data }], evolve: (state) => state },
  read: (stored) => ({
    type: CHECKPOINT_TYPE,
    data: Checkpoint.parse(stored.data),
    eventId: stored.id,
    streamId: stored.streamId,
    streamRevision: stored.revision,
    position: stored.position,
    metadata: LedgerMetadata.parse(stored.metadata),
  }),
  schemaVersion: () => CHECKPOINT_SCHEMA_VERSION,
};

/**
 * Records a checkpoint over the whole ledger as it is now, as the next event of the checkpoint
 * stream, through the command handler like every other event (hash chain, expected revision). A
 * concurrent checkpoint is met by reading again.
 */
export async function recordCheckpoint(store: EventStore, options: RecordCheckpointOptions): Promise<CheckpointOutcome> {
  const now = options.now ?? (() => new Date());
  for (let attempt = 1; ; attempt += 1) {
    const events = await readWholeLedger(store);
    const latest = latestCheckpoint(events);
    if (options.onlyIfChanged && latest && events.at(-1)?.id === latest.eventId) return { recorded: false, checkpoint: latest };
    const { problems } = verifyLedger(events, { rebuild: false });
    if (problems.length > 0) throw new UnverifiedLedgerError(problems);
    const recordedAt = now().toISOString();
    const checkpoint = computeCheckpoint(events, recordedAt);
    const handler = new CommandHandler(store, { now: () => new Date(recordedAt) });
    const command: RecordCheckpointCommand = { type: 'RecordCheckpoint', data: checkpoint };
    try {
      const {
        events: [recorded],
      } = await handler.handle({ kind: checkpointKind, streamId: CHECKPOINT_STREAM, command, context: () => undefined }, options.actor, {
        expectedRevision: events.filter((e) => e.streamId === CHECKPOINT_STREAM).length - 1,
      });
      return {
        recorded: true,
        checkpoint: recorded && {
          eventId: recorded.eventId,
          streamId: recorded.streamId,
          revision: recorded.streamRevision,
          position: recorded.position,
          hash: recorded.metadata.hash,
          checkpoint: recorded.data,
        },
      };
    } catch (error) {
      if (error instanceof StaleRevisionError && attempt < 3) continue;
      throw error;
    }
  }
}
