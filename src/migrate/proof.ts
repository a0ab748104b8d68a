import { ChainWalk } from '../integrity/chain-walk';
import { linkProblem, recordedHash } from '../integrity/hash-chain';
import type { EventStore, StoredEvent, StoredSerializedEvent } from '../store/event-store';

/** What a copy of a ledger is held to: the same events, ids, streams, per-stream and global order, data, metadata and hashes. */
export interface CopyProof {
  readonly ok: boolean;
  readonly events: number;
  readonly streams: number;
  /** events whose recorded hash was recomputed from the copy and found equal, chain link included */
  readonly hashesVerified: number;
  /** the first differences found, in words; empty when ok */
  readonly problems: readonly string[];
  readonly problemCount: number;
}

const MAX_LISTED = 20;

/**
 * Compares two whole ledgers read in global order. Pure: no store, no clock. Positions are left
 * out, since each store has its own; everything else must be equal, to the byte of the JSON.
 */
export function proveCopy(source: readonly StoredEvent[], target: readonly StoredEvent[]): CopyProof {
  const problems: string[] = [];
  const problem = (p: string) => problems.push(p);

  if (source.length !== target.length) problem(`source has ${source.length} events, target ${target.length}`);
  const byId = new Map(target.map((e) => [e.id, e]));
  const sourceIds = new Set(source.map((e) => e.id));
  for (const s of source) {
    const t = byId.get(s.id);
    if (!t) {
      problem(`event ${s.id} (${s.streamId}@${s.revision}) is missing from the target`);
      continue;
    }
    if (t.streamId !== s.streamId || t.revision !== s.revision)
      problem(`event ${s.id} is ${t.streamId}@${t.revision} in the target, ${s.streamId}@${s.revision} in the source`);
    if (t.type !== s.type) problem(`event ${s.id}: type ${t.type} in the target, ${s.type} in the source`);
    if (JSON.stringify(t.data) !== JSON.stringify(s.data)) problem(`event ${s.id}: data differs`);
    if (JSON.stringify(t.metadata) !== JSON.stringify(s.metadata)) problem(`event ${s.id}: metadata differs`);
  }
  for (const t of target) if (!sourceIds.has(t.id)) problem(`event ${t.id} (${t.streamId}@${t.revision}) is in the target only`);

  const sourceStreams = streamsOf(source);
  const targetStreams = streamsOf(target);
  for (const [streamId, ids] of sourceStreams) {
    const copied = targetStreams.get(streamId) ?? [];
    if (copied.join() !== ids.join()) problem(`stream ${streamId}: events are not the same or not in the same order`);
  }
  for (const [streamId, events] of revisionsOf(target)) {
    if (!events.every((r, i) => r === i)) problem(`stream ${streamId}: revisions in the target are not 0..${events.length - 1}`);
  }
  const sourceOrder = source.map((e) => e.id).filter((id) => byId.has(id));
  const targetOrder = target.map((e) => e.id).filter((id) => sourceIds.has(id));
  if (sourceOrder.join() !== targetOrder.join()) problem('global order differs between source and target');

  let hashesVerified = 0;
  const last = new Map<string, StoredEvent>();
  for (const t of target) {
    if (recordedHash(t) === null) continue;
    const link = linkProblem(t, last.get(t.streamId));
    if (link === 'hash') problem(`event ${t.id} (${t.streamId}@${t.revision}): hash does not match its content`);
    else if (link === 'chain') problem(`event ${t.id} (${t.streamId}@${t.revision}): not chained to the event before it`);
    else hashesVerified += 1;
    last.set(t.streamId, t);
  }

  return {
    ok: problems.length === 0,
    events: target.length,
    streams: targetStreams.size,
    hashesVerified,
    problems: problems.slice(0, MAX_LISTED),
    problemCount: problems.length,
  };
}

function streamsOf(events: readonly StoredEvent[]): Map<string, string[]> {
  const out = new Map<string, StoredEvent[]>();
  for (const e of events) {
    const list = out.get(e.streamId);
    if (list) list.push(e);
    else out.set(e.streamId, [e]);
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort((a, b) => a.revision - b.revision).map((e) => e.id)]));
}

function revisionsOf(events: readonly StoredEvent[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const e of events) {
    const list = out.get(e.streamId) ?? [];
    list.push(e.revision);
    out.set(e.streamId, list);
  }
  return new Map([...out].map(([k, v]) => [k, v.sort((a, b) => a - b)]));
}

/**
 * The proof in one pass over both stores, a page of each at a time (memory: one page, and the head
 * of each stream): event by event the same id, stream, revision, type, data and metadata in the
 * same global order; the target's revisions 0, 1, 2… in each stream; every recorded hash the hash
 * of its content and chained to the one before it. Between stores that keep JSON text the bytes
 * are compared and hashed as they are, without parsing the data. `ok: false` says only that
 * something differs: proveCopy over both ledgers names what.
 */
export async function proveInLockstep(source: EventStore, target: EventStore, pageSize = 5000): Promise<CopyProof> {
  // byte for byte when both keep JSON text; otherwise as JSON.stringify writes the parsed values, as proveCopy compares
  const verbatim = source.readAllSerialized !== undefined && target.readAllSerialized !== undefined;
  const a = new Cursor(source, verbatim, pageSize);
  const b = new Cursor(target, verbatim, pageSize);
  const walk = new ChainWalk();
  const differs = (): CopyProof => ({ ...walk.report(), ok: false, problems: [], problemCount: 1 });
  for (;;) {
    let x = a.next();
    let y = b.next();
    if (x instanceof Promise || y instanceof Promise) [x, y] = await Promise.all([x, y]);
    if (x === undefined || y === undefined) return x === y ? { ...walk.report(), problems: [], problemCount: 0 } : differs();
    if (x.id !== y.id || x.streamId !== y.streamId || x.revision !== y.revision || x.type !== y.type || x.data !== y.data || x.metadata !== y.metadata)
      return differs();
    if (!walk.step(y)) return differs();
  }
}

/** A store's events in global order as JSON text, read a page at a time. */
class Cursor {
  private page: readonly StoredSerializedEvent[] = [];
  private at = 0;
  private after: string | undefined;
  private done = false;

  constructor(
    private readonly store: EventStore,
    private readonly verbatim: boolean,
    private readonly pageSize: number,
  ) {}

  /** the next event, or undefined after the last; a promise only when a page is read */
  next(): StoredSerializedEvent | undefined | Promise<StoredSerializedEvent | undefined> {
    if (this.at < this.page.length) return this.page[this.at++];
    return this.done ? undefined : this.read().then(() => this.next());
  }

  private async read(): Promise<void> {
    const options = { after: this.after, maxCount: this.pageSize };
    this.page = this.verbatim
      ? await this.store.readAllSerialized!(options)
      : (await this.store.readAll(options)).map((e) => ({ ...e, data: JSON.stringify(e.data), metadata: JSON.stringify(e.metadata) }));
    this.at = 0;
    if (this.page.length === 0) this.done = true;
    else this.after = this.page[this.page.length - 1]!.position;
  }
}
