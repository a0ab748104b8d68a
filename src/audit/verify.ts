import { z } from 'zod';
import { isLinkedTo, recomputeHash, recordedHash, recordedPrevHash } from '../integrity/hash-chain';
import { LedgerMetadata, toLedgerEvent } from '../domain/ledger-event';
import type { StoredEvent } from '../store/event-store';
import { Checkpoint, eventsRootSteps, isCheckpointEvent, streamHeadsRoot, type RecordedCheckpoint } from './checkpoint';
import { CHECKPOINT_STREAM, CHECKPOINT_TYPE } from './checkpoint-stream';
import { compareSnapshots, rebuildProjectionSteps, snapshotOf, type ProjectionSnapshot } from './projection-snapshot';
import { atOnce, STEP, type Steps } from './slices';

/** What was checked when a problem was found; stable words for scripts. */
export type Check =
  | 'format' // a line of an export that is not an event or checkpoint
  | 'duplicate' // one event id twice
  | 'schema' // not a valid ledger event of its type
  | 'hash' // the recorded hash is not the hash of the content
  | 'chain' // prevHash is not the hash of the stream's previous event
  | 'revision' // a stream's revisions are not 0, 1, 2, … (an event deleted or inserted)
  | 'order' // global order broken: positions not increasing, or a stream out of revision order
  | 'checkpoint' // a checkpoint recorded in the ledger no longer matches the ledger
  | 'kept-checkpoint' // a checkpoint the auditor kept no longer matches the ledger
  | 'export' // the export's final checkpoint line is missing or disagrees with the events
  | 'projection' // the live read model differs from the one rebuilt from event one
  | 'store'; // the store no longer enforces what the ledger relies on (SQLite's append-only triggers)

export interface VerifyProblem {
  readonly check: Check;
  readonly problem: string;
  readonly eventId?: string;
  readonly streamId?: string;
  readonly revision?: number;
  readonly position?: string;
  /** line of the export file (1-based), when verifying a file */
  readonly line?: number;
}

/** A stored event, and where it was read from when that was a file. */
export type AuditedEvent = StoredEvent & { readonly line?: number };

/** A checkpoint an auditor kept: its root alone (looked up in the ledger), or the whole checkpoint. */
export type KeptCheckpoint = { readonly rootHash: string } | { readonly checkpoint: Checkpoint; readonly label?: string };

export interface VerifyOptions {
  readonly kept?: readonly KeptCheckpoint[];
  /** the live read model to hold to the one rebuilt from the events */
  readonly live?: ProjectionSnapshot;
  /** rebuild the projections from event one (default true); the rebuild is what `live` is compared with */
  readonly rebuild?: boolean;
  /**
   * The checks of each event on its own, already made as the events were read (see
   * readLedgerForVerify): the events given may then be kept without their data, and the
   * projections are rebuilt elsewhere (rebuild false, no live).
   */
  readonly checked?: EachEventChecks;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly events: number;
  readonly streams: number;
  /** events whose hash was recomputed and found equal, chain link included */
  readonly hashesVerified: number;
  readonly checkpoints: number;
  readonly keptCheckpoints: number;
  readonly latestCheckpoint: { eventId: string; rootHash: string; eventCount: number; recordedAt: string } | null;
  /** events (other than checkpoints) that no checkpoint covers yet: only their hash chain protects them */
  readonly uncovered: number;
  readonly projection: 'rebuilt and compared with the live read model' | 'rebuilt from event one' | 'not rebuilt';
  readonly problems: readonly VerifyProblem[];
}

interface Located {
  readonly event: AuditedEvent;
  readonly index: number;
}

const where = (e: AuditedEvent): Pick<VerifyProblem, 'eventId' | 'streamId' | 'revision' | 'position' | 'line'> =>
  withoutUndefined({ eventId: e.id, streamId: e.streamId, revision: e.revision, position: e.position, line: e.line });
const label = (e: StoredEvent) => `event ${e.id} (${e.streamId}@${e.revision})`;

/**
 * Verifies a whole ledger given as its events in global order. Pure: the same function proves a
 * store (CLI, API) and an export file (offline), and reports each problem with the event it is about.
 */
export function verifyLedger(events: readonly AuditedEvent[], options: VerifyOptions = {}): VerifyReport {
  return atOnce(verifySteps(events, options));
}

/** {@link verifyLedger} in steps (see slices.ts): a server without a worker runs it in slices. */
export function* verifySteps(events: readonly AuditedEvent[], options: VerifyOptions = {}): Steps<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const add = (p: VerifyProblem) => problems.push(withoutUndefined(p));
  if (options.checked && (options.rebuild !== false || options.live))
    throw new Error('verify: events read without their data cannot rebuild the projections: rebuild them as they are read');
  const checked = options.checked ?? new EachEventChecks();

  // ---- every event on its own: id, position order, schema, hash ------------------------------
  const seenIds = new Map<string, AuditedEvent>();
  let previousKey: bigint[] | undefined;
  let previous: AuditedEvent | undefined;
  for (let i = 0; i < events.length; i += 1) {
    const e = events[i]!;
    if (i % STEP === STEP - 1) yield;
    const first = seenIds.get(e.id);
    if (first) add({ check: 'duplicate', ...where(e), problem: `${label(e)} has the id of ${label(first)}: an event was inserted or copied` });
    else seenIds.set(e.id, e);

    const key = positionKey(e.position);
    if (key && previousKey && previous && compareKeys(key, previousKey) <= 0) {
      add({
        check: 'order',
        ...where(e),
        problem: `${label(e)} at position ${e.position} comes after ${label(previous)} at position ${previous.position} in global order: events were reordered`,
      });
    }
    if (key) previousKey = key;
    previous = e;

    if (!options.checked) checked.check(e, i);
    for (const p of checked.problemsOf(i)) add(p);
  }

  // ---- every stream: revisions 0..n, in global order, each chained to the one before ------------
  const streams = new Map<string, Located[]>();
  events.forEach((event, index) => {
    const list = streams.get(event.streamId) ?? [];
    list.push({ event, index });
    streams.set(event.streamId, list);
  });
  yield;
  let hashesVerified = 0;
  let linked = 0;
  for (const [streamId, inGlobalOrder] of streams) {
    const byRevision = [...inGlobalOrder].sort((a, b) => a.event.revision - b.event.revision || a.index - b.index);
    let expected = 0;
    let before: Located | undefined;
    for (const at of byRevision) {
      if (++linked % STEP === 0) yield;
      const e = at.event;
      let gap = false;
      if (e.revision > expected) {
        gap = true;
        const missing = e.revision - expected === 1 ? `revision ${expected} is` : `revisions ${expected}..${e.revision - 1} are`;
        add({ check: 'revision', ...where(e), problem: `stream ${streamId}: ${missing} missing before ${label(e)}: deleted` });
      } else if (before && e.revision === before.event.revision) {
        add({
          check: 'revision',
          ...where(e),
          problem: `stream ${streamId} has two events at revision ${e.revision}: ${before.event.id} and ${e.id}: one was inserted`,
        });
      }
      if (before && before.index > at.index) {
        add({
          check: 'order',
          ...where(e),
          problem: `${label(e)} comes before ${label(before.event)} in global order, against the order of its stream: events were reordered`,
        });
      }
      const prevHash = recordedPrevHash(e);
      const expectedPrev = before ? recordedHash(before.event) : null;
      if (!gap && !isLinkedTo(e, before?.event)) {
        add({
          check: 'chain',
          ...where(e),
          problem: before
            ? `${label(e)} is not chained to ${label(before.event)}: its prevHash is ${String(prevHash)}, that event's hash is ${String(expectedPrev)}`
            : `${label(e)} is the first of its stream but its prevHash is ${String(prevHash)}, not null: the events before it were removed`,
        });
      } else if (!gap && checked.hashVerified(at.index)) hashesVerified += 1;
      expected = Math.max(expected, e.revision + 1);
      before = at;
    }
  }

  // ---- checkpoints recorded in the ledger, and the ones the auditor kept -----------------------
  const recordedCheckpoints: { at: Located; checkpoint: Checkpoint }[] = [];
  events.forEach((event, index) => {
    if (!isCheckpointEvent(event)) return;
    const parsed = Checkpoint.safeParse(event.data);
    if (parsed.success) recordedCheckpoints.push({ at: { event, index }, checkpoint: parsed.data });
  });
  const coverage = coverageChecker(events, streams);
  for (const { at, checkpoint } of recordedCheckpoints) {
    for (const p of yield* coverage(checkpoint, `checkpoint ${at.event.id} (recorded ${checkpoint.recordedAt})`, at.index))
      add({ check: 'checkpoint', ...where(at.event), ...p });
  }
  for (const kept of options.kept ?? []) {
    if ('rootHash' in kept) {
      const found = recordedCheckpoints.find((c) => c.checkpoint.rootHash === kept.rootHash);
      if (!found) {
        add({
          check: 'kept-checkpoint',
          problem: `no checkpoint with root ${kept.rootHash} is in the ledger: the checkpoint you kept was removed, or the ledger was rewritten since`,
        });
      }
      continue;
    }
    const name = kept.label ?? `kept checkpoint ${kept.checkpoint.rootHash} (recorded ${kept.checkpoint.recordedAt})`;
    for (const p of yield* coverage(kept.checkpoint, name, undefined)) add({ check: 'kept-checkpoint', ...p });
  }

  // ---- projections rebuilt from event one, compared with the live ones ------------------------
  let projection: VerifyReport['projection'] = 'not rebuilt';
  if (options.rebuild !== false || options.live) {
    const rebuilt = yield* rebuildProjectionSteps(events);
    projection = 'rebuilt from event one';
    if (options.live) {
      projection = 'rebuilt and compared with the live read model';
      const lastOf = (streamId: string) => streams.get(streamId)?.at(-1)?.event;
      for (const drift of compareSnapshots(snapshotOf(rebuilt), options.live)) {
        const streamId = drift.kind === 'version' ? undefined : `${drift.kind}-${drift.id}`;
        const last = streamId ? lastOf(streamId) : events.at(-1);
        add({ check: 'projection', ...(last ? where(last) : {}), ...(streamId ? { streamId } : {}), problem: drift.problem });
      }
    }
  }

  const latest = recordedCheckpoints.at(-1);
  const covered = latest?.checkpoint.eventCount ?? 0;
  return {
    ok: problems.length === 0,
    events: events.length,
    streams: streams.size,
    hashesVerified,
    checkpoints: recordedCheckpoints.length,
    keptCheckpoints: options.kept?.length ?? 0,
    latestCheckpoint: latest
      ? {
          eventId: latest.at.event.id,
          rootHash: latest.checkpoint.rootHash,
          eventCount: latest.checkpoint.eventCount,
          recordedAt: latest.checkpoint.recordedAt,
        }
      : null,
    uncovered: events.slice(covered).filter((e) => e.streamId !== CHECKPOINT_STREAM).length,
    projection,
    problems,
  };
}

/**
 * What verify finds in each event on its own (its schema, and its hash against its content): the
 * only checks that need the event's data. Made as the events are read, they let a large ledger be
 * verified without holding every event's data at once (see readLedgerForVerify).
 */
export class EachEventChecks {
  private readonly found = new Map<number, VerifyProblem[]>();
  private hashOk = new Uint8Array(1024);

  /** checks the event at this index of global order */
  check(e: AuditedEvent, index: number): void {
    const problems: VerifyProblem[] = [];
    const schemaProblem = schemaProblemOf(e);
    if (schemaProblem) problems.push({ check: 'schema', ...where(e), problem: `${label(e)}: ${schemaProblem}` });
    const recorded = recordedHash(e);
    const recomputed = recomputeHash(e);
    if (recorded === null) problems.push({ check: 'hash', ...where(e), problem: `${label(e)} carries no hash` });
    else if (recomputed !== recorded) {
      problems.push({
        check: 'hash',
        ...where(e),
        problem: `${label(e)}: the recorded hash ${recorded} is not the hash of its content (${recomputed ?? 'content unreadable'}): its type, data, stream, revision, recordedAt, recordedBy or prevHash was changed`,
      });
    } else this.markHashOk(index);
    if (problems.length > 0) this.found.set(index, problems);
  }

  problemsOf(index: number): readonly VerifyProblem[] {
    return this.found.get(index) ?? [];
  }

  /** whether the event's recorded hash is the hash of its content */
  hashVerified(index: number): boolean {
    return this.hashOk[index] === 1;
  }

  private markHashOk(index: number): void {
    if (index >= this.hashOk.length) {
      const grown = new Uint8Array(Math.max(index + 1, this.hashOk.length * 2));
      grown.set(this.hashOk);
      this.hashOk = grown;
    }
    this.hashOk[index] = 1;
  }
}

/**
 * The event as verify keeps it once each-event checks are made: what chains, checkpoints and
 * global order are checked with, without its data (a checkpoint keeps its own, which is checked
 * against the ledger). `name` may give one string for the many equal stream ids and types.
 */
export function withoutData(e: AuditedEvent, name: (s: string) => string = (s) => s): AuditedEvent {
  const m = e.metadata as { hash?: unknown; prevHash?: unknown; recordedAt?: unknown };
  return withoutUndefined({
    id: e.id,
    type: name(e.type),
    streamId: name(e.streamId),
    revision: e.revision,
    position: e.position,
    line: e.line,
    data: e.streamId === CHECKPOINT_STREAM ? e.data : NO_DATA,
    metadata: withoutUndefined({ hash: m.hash, prevHash: m.prevHash, recordedAt: m.recordedAt }),
  });
}

const NO_DATA: Record<string, unknown> = Object.freeze({});

/** One string for each of the many equal ones (stream ids, types) that every event would otherwise keep a copy of. */
export function interned(): (s: string) => string {
  const known = new Map<string, string>();
  return (s) => {
    const found = known.get(s);
    if (found !== undefined) return found;
    known.set(s, s);
    return s;
  };
}

type CoverageProblem = Omit<VerifyProblem, 'check'>;

/**
 * What a checkpoint proves about the ledger now: every stream head it recorded is still there
 * with the same hash (so the whole stream up to it is, by the chain), within the first
 * eventCount events, and nothing else is among them; and those events, in global order, still
 * have the Merkle root it recorded.
 */
function coverageChecker(events: readonly AuditedEvent[], streams: ReadonlyMap<string, Located[]>) {
  const leafRoots = new Map<number, string>();
  const rootOfFirst = function* (n: number): Steps<string> {
    let root = leafRoots.get(n);
    if (root === undefined) {
      root = yield* eventsRootSteps(events, n);
      leafRoots.set(n, root);
    }
    return root;
  };
  return function* (c: Checkpoint, name: string, ownIndex: number | undefined): Steps<CoverageProblem[]> {
    const out: CoverageProblem[] = [];
    const add = (p: CoverageProblem) => out.push(withoutUndefined(p));
    if (c.treeSize !== c.streamHeads.length) add({ problem: `${name}: treeSize ${c.treeSize} but ${c.streamHeads.length} stream heads` });
    if (streamHeadsRoot(c.streamHeads) !== c.rootHash)
      add({ problem: `${name}: its rootHash ${c.rootHash} is not the Merkle root of its own stream heads: the checkpoint was altered` });
    if (ownIndex !== undefined && c.eventCount > ownIndex) {
      add({ problem: `${name} covers ${c.eventCount} events, but only ${ownIndex} precede it in global order: events before it were removed` });
    }
    if (c.eventCount > events.length)
      add({ problem: `${name} covers ${c.eventCount} events, but the ledger has ${events.length}: events it covered were removed (a truncated tail?)` });

    const heads = new Map(c.streamHeads.map((h) => [h.streamId, h]));
    for (const head of c.streamHeads) {
      const stream = streams.get(head.streamId);
      const at = stream?.find((l) => l.event.revision === head.revision);
      if (!stream) {
        add({
          streamId: head.streamId,
          revision: head.revision,
          problem: `stream ${head.streamId} is missing: ${name} recorded its head at revision ${head.revision}: the whole stream was removed`,
        });
      } else if (!at) {
        const last = Math.max(...stream.map((l) => l.event.revision));
        add({
          streamId: head.streamId,
          revision: head.revision,
          problem: `stream ${head.streamId} has no revision ${head.revision} (it ends at ${last}), which ${name} recorded as its head ${head.hash}: events were removed`,
        });
      } else if (recordedHash(at.event) !== head.hash) {
        add({
          ...where(at.event),
          problem: `${label(at.event)} has hash ${String(recordedHash(at.event))}, but ${name} recorded ${head.hash} for it: the stream was rewritten after the checkpoint`,
        });
      } else if (at.index >= c.eventCount) {
        add({
          ...where(at.event),
          problem: `${label(at.event)} is now event ${at.index + 1} in global order, but ${name} covered it among the first ${c.eventCount}: events were reordered`,
        });
      }
    }
    const n = Math.min(c.eventCount, events.length);
    // a recorded checkpoint follows what it covers; when events before it were removed it would otherwise be blamed as inserted
    for (let i = 0; i < Math.min(n, ownIndex ?? n); i += 1) {
      if (i % STEP === STEP - 1) yield;
      const e = events[i]!;
      const head = heads.get(e.streamId);
      if (!head)
        add({
          ...where(e),
          problem: `${label(e)} lies among the ${c.eventCount} events that ${name} covers, yet that checkpoint knows no stream ${e.streamId}: it was inserted`,
        });
      else if (e.revision > head.revision) {
        add({
          ...where(e),
          problem: `${label(e)} lies among the ${c.eventCount} events that ${name} covers, yet that checkpoint recorded the head of ${e.streamId} at revision ${head.revision}: it was inserted`,
        });
      }
    }
    if (c.eventCount <= events.length && (yield* rootOfFirst(c.eventCount)) !== c.eventsRoot) {
      add({
        problem: `the first ${c.eventCount} events in global order no longer have the Merkle root ${c.eventsRoot} that ${name} recorded: covered events were changed, reordered, inserted or removed${reorderHint(events, n)}`,
      });
    }
    return out;
  };
}

/** The first place where recording time goes backwards in global order: where a reordering most likely is. */
function reorderHint(events: readonly AuditedEvent[], n: number): string {
  for (let i = 1; i < n; i += 1) {
    const a = (events[i - 1]!.metadata as { recordedAt?: unknown }).recordedAt;
    const b = (events[i]!.metadata as { recordedAt?: unknown }).recordedAt;
    if (typeof a === 'string' && typeof b === 'string' && b < a)
      return ` (recording time goes backwards at ${label(events[i]!)}, recorded ${b}, after ${label(events[i - 1]!)}, recorded ${a})`;
  }
  return '';
}

function schemaProblemOf(e: StoredEvent): string | undefined {
  if (e.streamId === CHECKPOINT_STREAM) {
    if (e.type !== CHECKPOINT_TYPE) return `the checkpoint stream holds only ${CHECKPOINT_TYPE} events, not "${e.type}"`;
    const metadata = LedgerMetadata.safeParse(e.metadata);
    if (!metadata.success) return `metadata: ${z.prettifyError(metadata.error)}`;
    const data = Checkpoint.safeParse(e.data);
    if (!data.success) return `data: ${z.prettifyError(data.error)}`;
    return undefined;
  }
  try {
    toLedgerEvent(e);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^event \S+ \(\S+\) is not a valid ledger event: /, 'not a valid ledger event: ');
  }
}

/** A comparable key for the positions the stores produce (SQLite's sequence, KurrentDB's C:…/P:…); undefined for others. */
function positionKey(position: string): bigint[] | undefined {
  if (/^\d{1,30}$/.test(position)) return [BigInt(position), 0n];
  const m = /^C:(\d{1,30})\/P:(\d{1,30})$/.exec(position);
  return m ? [BigInt(m[1]!), BigInt(m[2]!)] : undefined;
}

function compareKeys(a: bigint[], b: bigint[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i] ?? 0n;
    const y = b[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export type { RecordedCheckpoint };
