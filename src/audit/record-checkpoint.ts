import { randomUUID } from 'node:crypto';
import { eventHash } from '../integrity/event-hash';
import type { Actor } from '../ledger/envelope';
import { WrongExpectedRevisionError, type EventStore } from '../store/event-store';
import { asRecordedCheckpoint, CHECKPOINT_SCHEMA_VERSION, computeCheckpoint, latestCheckpoint, recordedHash, type RecordedCheckpoint } from './checkpoint';
import { CHECKPOINT_STREAM, CHECKPOINT_TYPE } from './checkpoint-stream';
import { readWholeLedger } from './read-ledger';
import { verifyLedger } from './verify';

/** The ledger refuses to vouch, by a checkpoint, for a ledger that does not verify. */
export class UnverifiedLedgerError extends Error {
  constructor(readonly problems: readonly { problem: string }[]) {
    super(`no checkpoint recorded: the ledger does not verify (${problems.length} problem${problems.length === 1 ? '' : 's'}; first: ${problems[0]?.problem ?? '?'})`);
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

/**
 * Records a checkpoint over the whole ledger as it is now, as the next event of the checkpoint
 * stream, hash-chained like every other event. A concurrent checkpoint is met by reading again.
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
    const stream = events.filter((e) => e.streamId === CHECKPOINT_STREAM);
    const previous = stream.at(-1);
    const eventId = randomUUID();
    const metadata = {
      schemaVersion: CHECKPOINT_SCHEMA_VERSION,
      recordedAt,
      recordedBy: options.actor.id,
      prevHash: previous ? recordedHash(previous) : null,
      hash: eventHash({
        eventId,
        streamId: CHECKPOINT_STREAM,
        streamRevision: stream.length,
        type: CHECKPOINT_TYPE,
        schemaVersion: CHECKPOINT_SCHEMA_VERSION,
        data: checkpoint,
        recordedAt,
        recordedBy: options.actor.id,
        prevHash: previous ? recordedHash(previous) : null,
      }),
    };
    try {
      await store.append(CHECKPOINT_STREAM, [{ id: eventId, type: CHECKPOINT_TYPE, data: checkpoint, metadata }], previous ? previous.revision : 'no-stream');
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError && attempt < 3) continue;
      throw error;
    }
    const [stored] = await store.readStream(CHECKPOINT_STREAM, { fromRevision: stream.length, maxCount: 1 });
    return { recorded: true, checkpoint: stored && asRecordedCheckpoint(stored) };
  }
}
