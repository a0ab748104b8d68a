import { linkProblem, recordedHash } from '../integrity/hash-chain';
import type { StoredEvent } from '../store/event-store';

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
    if (t.streamId !== s.streamId || t.revision !== s.revision) problem(`event ${s.id} is ${t.streamId}@${t.revision} in the target, ${s.streamId}@${s.revision} in the source`);
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
