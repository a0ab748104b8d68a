import canonicalize from 'canonicalize';
import { z } from 'zod';
import { recordedHash } from '../integrity/hash-chain';
import type { EventStore, StoredEvent } from '../store/event-store';
import { CHECKPOINT_STREAM, CHECKPOINT_TYPE } from './checkpoint-stream';
import { leafHash, MerkleAccumulator, merkleRoot } from './merkle';
import { atOnce, STEP, type Steps } from './slices';

export { CHECKPOINT_STREAM, CHECKPOINT_TYPE } from './checkpoint-stream';

const Hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 as 64 lower-case hex digits');

/** The last event of one stream: its revision and recorded hash, which chains to every event before it. */
export const StreamHead = z.strictObject({ streamId: z.string().min(1), revision: z.number().int().min(0), hash: Hash }).meta({ id: 'StreamHead' });
export type StreamHead = z.infer<typeof StreamHead>;

/**
 * A signed-tree-head in the manner of Certificate Transparency, recorded in the ledger itself:
 * the Merkle root (RFC 6962) over the head of every stream, sorted by stream id, plus the root
 * over every event hash in global order. An auditor who keeps one can later prove that the ledger
 * still holds everything it covered, in the same order.
 */
export const Checkpoint = z
  .strictObject({
    treeSize: z.number().int().min(0).meta({ description: 'number of streams (leaves of the stream-head tree)' }),
    rootHash: Hash.meta({ description: 'RFC 6962 Merkle tree head over the stream heads, sorted by stream id' }),
    streamHeads: z.array(StreamHead),
    eventCount: z.number().int().min(0).meta({ description: 'number of events covered: the first eventCount events in global order' }),
    eventsRoot: Hash.meta({ description: 'RFC 6962 Merkle tree head over the covered events in global order' }),
    lastPosition: z.string().nullable().meta({ description: 'global position of the last covered event (store-specific)' }),
    recordedAt: z.iso.datetime({ offset: false }),
  })
  .meta({ id: 'Checkpoint', description: `data of a ${CHECKPOINT_TYPE} event, in stream ${CHECKPOINT_STREAM}` });
export type Checkpoint = z.infer<typeof Checkpoint>;

export const CHECKPOINT_SCHEMA_VERSION = 1;

/** The leaf of both trees: the RFC 8785 canonical JSON of {streamId, revision, hash}. */
export function headLeaf(head: { streamId: string; revision: number; hash: unknown }): Buffer {
  return leafHash(Buffer.from(canonicalize({ streamId: head.streamId, revision: head.revision, hash: head.hash ?? null })!, 'utf8'));
}

export function streamHeadsRoot(heads: readonly StreamHead[]): string {
  return merkleRoot(heads.map(headLeaf)).toString('hex');
}

/** The Merkle root over these events' recorded hashes, in the order given (global order). */
export function eventsRoot(events: readonly StoredEvent[]): string {
  return atOnce(eventsRootSteps(events));
}

/** {@link eventsRoot} over the first `count` events, in steps (see slices.ts). */
export function* eventsRootSteps(events: readonly StoredEvent[], count = events.length): Steps<string> {
  const tree = new MerkleAccumulator();
  for (let i = 0; i < count; i += 1) {
    const e = events[i]!;
    tree.add(headLeaf({ streamId: e.streamId, revision: e.revision, hash: recordedHash(e) }));
    if (i % STEP === STEP - 1) yield;
  }
  return tree.root().toString('hex');
}

export { recordedHash };

/** The stream heads of these events, sorted by stream id (code-unit order, as canonical JSON sorts). */
export function streamHeadsOf(events: readonly StoredEvent[]): StreamHead[] {
  const heads = new Map<string, StoredEvent>();
  for (const e of events) {
    const h = heads.get(e.streamId);
    if (!h || e.revision > h.revision) heads.set(e.streamId, e);
  }
  return [...heads.values()]
    .map((e) => ({ streamId: e.streamId, revision: e.revision, hash: recordedHash(e) ?? '' }))
    .sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
}

/** The checkpoint over the whole of these events (global order). Pure. */
export function computeCheckpoint(events: readonly StoredEvent[], recordedAt: string): Checkpoint {
  return atOnce(computeCheckpointSteps(events, recordedAt));
}

export function* computeCheckpointSteps(events: readonly StoredEvent[], recordedAt: string): Steps<Checkpoint> {
  const streamHeads = streamHeadsOf(events);
  yield;
  return {
    treeSize: streamHeads.length,
    rootHash: streamHeadsRoot(streamHeads),
    streamHeads,
    eventCount: events.length,
    eventsRoot: yield* eventsRootSteps(events),
    lastPosition: events.at(-1)?.position ?? null,
    recordedAt,
  };
}

/** A checkpoint as recorded in the ledger, with the envelope of its event. */
export interface RecordedCheckpoint {
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: string;
  readonly hash: string | null;
  readonly checkpoint: Checkpoint;
}

/** a checkpoint recorded in the ledger: the checkpoint stream's one event type */
export const isCheckpointEvent = (e: Pick<StoredEvent, 'streamId' | 'type'>): boolean => e.streamId === CHECKPOINT_STREAM && e.type === CHECKPOINT_TYPE;

export function checkpointEvents(events: readonly StoredEvent[]): StoredEvent[] {
  return events.filter(isCheckpointEvent);
}

export function asRecordedCheckpoint(e: StoredEvent): RecordedCheckpoint | undefined {
  const parsed = Checkpoint.safeParse(e.data);
  if (!parsed.success) return undefined;
  return { eventId: e.id, streamId: e.streamId, revision: e.revision, position: e.position, hash: recordedHash(e), checkpoint: parsed.data };
}

/** The checkpoints among these events (the checkpoint stream, or the ledger), oldest first. */
export function checkpointsIn(events: readonly StoredEvent[]): RecordedCheckpoint[] {
  return checkpointEvents(events)
    .map(asRecordedCheckpoint)
    .filter((c): c is RecordedCheckpoint => c !== undefined);
}

/** Every checkpoint recorded, oldest first, read from their own stream rather than from the whole ledger. */
export async function recordedCheckpoints(store: Pick<EventStore, 'readStream'>): Promise<RecordedCheckpoint[]> {
  return checkpointsIn(await store.readStream(CHECKPOINT_STREAM));
}

export function latestCheckpoint(events: readonly StoredEvent[]): RecordedCheckpoint | undefined {
  const all = checkpointEvents(events);
  for (let i = all.length - 1; i >= 0; i -= 1) {
    const c = asRecordedCheckpoint(all[i]!);
    if (c) return c;
  }
  return undefined;
}
