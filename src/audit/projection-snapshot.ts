import { atOnce, STEP, type Steps } from './slices';
import canonicalize from 'canonicalize';
import { LedgerProjection, type DocumentView, type LedgerVersion } from '../projections/ledger-projection';
import type { ReadModel } from '../projections/read-model';
import type { Stance } from '../projections/stance';
import type { StoredEvent } from '../store/event-store';

/** What a read model shows: every current stance, every document, and the ledger version it cites. */
export interface ProjectionSnapshot {
  readonly positions: readonly Stance[];
  readonly documents: readonly DocumentView[];
  readonly version: LedgerVersion;
}

/** (a read model, or one read store file read on its own) */
export function snapshotOf(readModel: Pick<ReadModel, 'positionPage' | 'documentList' | 'version'>): ProjectionSnapshot {
  return { positions: readModel.positionPage({}).items, documents: readModel.documentList(), version: readModel.version() };
}

/** The read model rebuilt from event one, by the same code that follows the store live. */
export function rebuildProjection(events: readonly StoredEvent[]): LedgerProjection {
  return atOnce(rebuildProjectionSteps(events));
}

export function* rebuildProjectionSteps(events: readonly StoredEvent[]): Steps<LedgerProjection> {
  const projection = new LedgerProjection();
  for (let i = 0; i < events.length; i += 1) {
    projection.apply(events[i]!);
    if (i % STEP === STEP - 1) yield;
  }
  return projection;
}

export interface ProjectionDrift {
  readonly kind: 'position' | 'document' | 'version';
  readonly id: string;
  readonly problem: string;
}

/** Every difference between a live read model and one rebuilt from the events, field by field. */
export function compareSnapshots(rebuilt: ProjectionSnapshot, live: ProjectionSnapshot): ProjectionDrift[] {
  const drift: ProjectionDrift[] = [];
  compareById('position', rebuilt.positions, live.positions, (s) => s.id, drift);
  compareById('document', rebuilt.documents, live.documents, (d) => d.documentId, drift);
  for (const key of ['version', 'digest', 'events', 'lastPosition'] as const) {
    if (rebuilt.version[key] !== live.version[key]) {
      drift.push({
        kind: 'version',
        id: key,
        problem: `the live ledger version has ${key} ${String(live.version[key])}, the events give ${String(rebuilt.version[key])}`,
      });
    }
  }
  return drift;
}

function compareById<T extends object>(
  kind: 'position' | 'document',
  rebuilt: readonly T[],
  live: readonly T[],
  idOf: (t: T) => string,
  drift: ProjectionDrift[],
): void {
  const liveById = new Map(live.map((t) => [idOf(t), t]));
  const rebuiltIds = new Set<string>();
  for (const r of rebuilt) {
    const id = idOf(r);
    rebuiltIds.add(id);
    const l = liveById.get(id);
    if (!l) {
      drift.push({ kind, id, problem: `${kind} ${id} follows from the events but is missing from the live read model` });
      continue;
    }
    const fields = differingFields(r as Record<string, unknown>, l as Record<string, unknown>);
    if (fields.length > 0) {
      const shown = fields.map((f) => `${f}: live ${brief((l as Record<string, unknown>)[f])}, from the events ${brief((r as Record<string, unknown>)[f])}`);
      drift.push({ kind, id, problem: `${kind} ${id} differs from what the events give in ${shown.join('; ')}` });
    }
  }
  for (const l of live) {
    const id = idOf(l);
    if (!rebuiltIds.has(id)) drift.push({ kind, id, problem: `${kind} ${id} is in the live read model but follows from no event` });
  }
}

function differingFields(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => canonicalize(a[k] ?? null) !== canonicalize(b[k] ?? null));
}

function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
