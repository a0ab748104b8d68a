import type { ChainWalkReport } from '../integrity/chain-walk';
import type { EventStore, SerializedAppend, StoredEvent, StoredSerializedEvent, StreamAppend } from '../store/event-store';
import { proveCopy, proveInLockstep, type CopyProof } from './proof';

export interface CopyReport {
  /** events appended to the target by this run */
  readonly copied: number;
  /** events the target already had (an earlier, interrupted run copied them) */
  readonly alreadyThere: number;
}

export interface MigrationReport {
  readonly copy: CopyReport;
  readonly proof: CopyProof;
}

/** The target holds something else where the source's event should go: never overwritten, never merged. */
export class MigrationConflictError extends Error {
  constructor(
    readonly streamId: string,
    readonly revision: number,
    detail: string,
  ) {
    super(`target stream ${streamId} at revision ${revision}: ${detail}`);
    this.name = 'MigrationConflictError';
  }
}

export interface CopyOptions {
  readonly pageSize?: number;
  readonly onProgress?: (report: CopyReport) => void;
}

/**
 * Copies a whole ledger from one store to another, in the source's global order, each stream's
 * events at the same revisions, with the same ids, types, data and metadata (hashes included).
 * Safe to run again after an interruption: what the target already holds is checked, not copied
 * twice; each append expects the exact revision, so nothing can land out of place.
 */
export async function copyLedger(source: EventStore, target: EventStore, options: CopyOptions = {}): Promise<CopyReport> {
  // a page per transaction: each commit costs an fsync and a checkpoint, so pages are large (5,000 cost ~25% more than one transaction; 25,000 about nothing)
  const pageSize = options.pageSize ?? 25_000;
  // Between stores that keep JSON text (SQLite to SQLite) the bytes go across as they are: nothing parsed, nothing serialised again.
  const verbatim = source.readAllSerialized !== undefined && target.appendManySerialized !== undefined;
  const read = (after: string | undefined): Promise<readonly CopiedEvent[]> =>
    verbatim ? source.readAllSerialized!({ after, maxCount: pageSize }) : source.readAll({ after, maxCount: pageSize });
  // an empty target holds no stream: nothing to look up before each stream's first append
  const targetWasEmpty = (await target.readAll({ maxCount: 1 })).length === 0;
  if (targetWasEmpty && target.copyAllFrom) {
    // into an empty store of the same kind, the store copies by itself (SQLite: inside SQLite)
    const copied = await target.copyAllFrom(source, { pageSize, onPage: (n) => options.onProgress?.({ copied: n, alreadyThere: 0 }) });
    if (copied !== undefined) return { copied, alreadyThere: 0 };
  }
  const known = new Map<string, string[]>(); // stream -> ids the target holds, by revision
  let copied = 0;
  let alreadyThere = 0;
  let after: string | undefined;
  for (;;) {
    const page = await read(after);
    if (page.length === 0) break;
    const appends: StreamAppend[] = [];
    const verbatimAppends: SerializedAppend[] = [];
    for (const run of runsByStream(page)) {
      const streamId = run[0]!.streamId;
      let ids = known.get(streamId);
      if (!ids) {
        ids = targetWasEmpty ? [] : (await target.readStream(streamId)).map((e) => e.id);
        known.set(streamId, ids);
      }
      const missing: CopiedEvent[] = [];
      for (const e of run) {
        if (e.revision < ids.length) {
          if (ids[e.revision] !== e.id) throw new MigrationConflictError(streamId, e.revision, `holds event ${ids[e.revision]}, the source has ${e.id}`);
          alreadyThere += 1;
        } else missing.push(e);
      }
      if (missing.length > 0) {
        const from = missing[0]!.revision;
        if (from !== ids.length) throw new MigrationConflictError(streamId, from, `the target ends at revision ${ids.length - 1}`);
        if (verbatim) verbatimAppends.push({ streamId, events: missing as StoredSerializedEvent[], expected: from === 0 ? 'no-stream' : from - 1 });
        else {
          // Each append stays under what the target takes in one write (KurrentDB's MaxAppendSize); each expects the revision before it.
          const events = (missing as StoredEvent[]).map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata }));
          let next = from;
          for (const chunk of target.splitForAppend?.(events) ?? [events]) {
            appends.push({ streamId, events: chunk, expected: next === 0 ? 'no-stream' : next - 1 });
            next += chunk.length;
          }
        }
        for (const e of missing) ids.push(e.id);
        copied += missing.length;
      }
    }
    // a page at a time, in one transaction where the target has them (SQLite): the disk's speed, and an interruption loses at most a page
    if (verbatim) await target.appendManySerialized!(verbatimAppends);
    else if (target.appendMany) await target.appendMany(appends);
    else for (const a of appends) await target.append(a.streamId, a.events, a.expected);
    after = page[page.length - 1]!.position;
    options.onProgress?.({ copied, alreadyThere });
  }
  return { copied, alreadyThere };
}

/** An event being copied: parsed, or as the JSON text its store holds. */
type CopiedEvent = StoredEvent | StoredSerializedEvent;

/** Copies, then proves the copy (see proveStores); the source's chains are walked beside the copy where the store can. */
export async function migrateLedger(source: EventStore, target: EventStore, options: CopyOptions = {}): Promise<MigrationReport> {
  const chains = walkChainsAside(source);
  const copy = await copyLedger(source, target, options);
  return { copy, proof: await proveStores(source, target, chains) };
}

/**
 * The source's chains walked off the main thread, begun before the copy so that the two run on two
 * cores; undefined when the store cannot. A failed walk only means the proof reads both ledgers.
 */
export function walkChainsAside(source: EventStore): Promise<ChainWalkReport | undefined> | undefined {
  return source.walkChainsAside?.().catch(() => undefined);
}

/**
 * Proves the copy. Where the stores can, in two parts: the source's chains walked aside (`chains`,
 * see walkChainsAside: revisions in order, every hash recomputed and chained), and the target
 * compared with the source inside the store, row by row and byte by byte. Equal bytes carry the
 * walk's finding over to the target; the proof holds when the walk covered every event found equal.
 * Otherwise, or when either part finds anything amiss, both ledgers are read side by side, a page
 * at a time, in global order, every event compared and the target's hashes and chains recomputed
 * as they stream past. When anything differs, both are read in full once more so that the proof
 * can name every difference.
 */
export async function proveStores(source: EventStore, target: EventStore, chains?: Promise<ChainWalkReport | undefined>): Promise<CopyProof> {
  if (chains && target.holdsSameEventsAs) {
    const [walk, compared] = await Promise.all([chains, target.holdsSameEventsAs(source)]);
    if (walk?.ok && compared?.same && walk.events === compared.events) return { ...walk, problems: [], problemCount: 0 };
  }
  const proof = await proveInLockstep(source, target);
  if (proof.ok) return proof;
  return proveCopy(await readWhole(source), await readWhole(target));
}

export async function readWhole(store: EventStore, pageSize = 1000): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1]!.position;
  }
}

/** consecutive events of one stream, in global order: each run is one append */
function runsByStream<E extends { readonly streamId: string }>(events: readonly E[]): E[][] {
  const runs: E[][] = [];
  for (const e of events) {
    const last = runs.at(-1);
    if (last && last[0]!.streamId === e.streamId) last.push(e);
    else runs.push([e]);
  }
  return runs;
}
