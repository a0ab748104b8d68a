import { CommandHandler, type Actor, type StreamKind } from '../command-handling/command-handler';
import { StaleRevisionError } from '../command-handling/errors';
import { LedgerMetadata } from '../domain/ledger-event';
import type { EventStore, StoredEvent } from '../store/event-store';
import { Checkpoint, CHECKPOINT_SCHEMA_VERSION, computeCheckpointSteps, latestCheckpoint, type RecordedCheckpoint } from './checkpoint';
import { CHECKPOINT_STREAM, CHECKPOINT_TYPE } from './checkpoint-stream';
import { readLedgerForVerify } from './read-for-verify';
import { atOnce, inSlices, type Steps } from './slices';
import { verifySteps, type EachEventChecks } from './verify';

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
  /** where the checkpoint is computed: on this thread by default, in a worker on a SQLite file */
  readonly plan?: PlanCheckpoint;
}

export type PlanCheckpoint = (recordedAt: string, onlyIfChanged: boolean) => Promise<CheckpointPlan>;

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
 * What recording a checkpoint needs from the whole ledger, computed where the hashing may take
 * long (a worker process on SQLite, see verify-in-worker.ts): the latest checkpoint when
 * nothing was recorded since, else the new checkpoint and the checkpoint stream's revision to
 * append after, or the problems that forbid vouching for the ledger. Plain data, so that it
 * crosses between threads.
 */
export type CheckpointPlan =
  | { readonly kind: 'unchanged'; readonly latest: RecordedCheckpoint }
  | { readonly kind: 'record'; readonly checkpoint: Checkpoint; readonly checkpointRevision: number }
  | { readonly kind: 'unverified'; readonly problems: readonly { problem: string }[] };

/** Plans a checkpoint over these events (the whole ledger, global order). Pure. */
function* planCheckpointSteps(events: readonly StoredEvent[], recordedAt: string, onlyIfChanged: boolean, checked?: EachEventChecks): Steps<CheckpointPlan> {
  const latest = latestCheckpoint(events);
  if (onlyIfChanged && latest && events.at(-1)?.id === latest.eventId) return { kind: 'unchanged', latest };
  const { problems } = yield* verifySteps(events, { rebuild: false, checked });
  if (problems.length > 0) return { kind: 'unverified', problems };
  return {
    kind: 'record',
    checkpoint: yield* computeCheckpointSteps(events, recordedAt),
    checkpointRevision: events.filter((e) => e.streamId === CHECKPOINT_STREAM).length - 1,
  };
}

/**
 * Plans over the store's ledger, read page by page as verify reads it: each event checked as it
 * comes and kept without its data (a checkpoint needs only ids, places and hashes), so a million
 * events cost a few hundred megabytes, not the gigabytes of the events whole. `run` takes the
 * steps at once (a worker, the CLI) or in slices that let a server's other requests in.
 */
export async function planOverStore(
  store: EventStore,
  recordedAt: string,
  onlyIfChanged: boolean,
  run: (steps: Steps<CheckpointPlan>) => CheckpointPlan | Promise<CheckpointPlan> = atOnce,
): Promise<CheckpointPlan> {
  const { events, checked } = await readLedgerForVerify(store);
  return run(planCheckpointSteps(events, recordedAt, onlyIfChanged, checked));
}

/** Plans on this thread, hashing in slices that let other requests in. */
export const planHere =
  (store: EventStore) =>
  (recordedAt: string, onlyIfChanged: boolean): Promise<CheckpointPlan> =>
    planOverStore(store, recordedAt, onlyIfChanged, inSlices);

/**
 * Records a checkpoint over the whole ledger as it is now, as the next event of the checkpoint
 * stream, through the command handler like every other event (hash chain, expected revision). A
 * concurrent checkpoint is met by reading again. `plan` computes it (by default on this thread).
 */
export async function recordCheckpoint(store: EventStore, options: RecordCheckpointOptions): Promise<CheckpointOutcome> {
  const now = options.now ?? (() => new Date());
  const plan = options.plan ?? planHere(store);
  for (let attempt = 1; ; attempt += 1) {
    const recordedAt = now().toISOString();
    const planned = await plan(recordedAt, options.onlyIfChanged ?? false);
    if (planned.kind === 'unchanged') return { recorded: false, checkpoint: planned.latest };
    if (planned.kind === 'unverified') throw new UnverifiedLedgerError(planned.problems);
    const handler = new CommandHandler(store, { now: () => new Date(recordedAt) });
    const command: RecordCheckpointCommand = { type: 'RecordCheckpoint', data: planned.checkpoint };
    try {
      const {
        events: [recorded],
      } = await handler.handle({ kind: checkpointKind, streamId: CHECKPOINT_STREAM, command, context: () => undefined }, options.actor, {
        expectedRevision: planned.checkpointRevision,
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
