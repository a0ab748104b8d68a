import { z } from 'zod';
import { SourceDocumentRegistered } from '../domain/events';
import { isAuditStream, isPositionStream, positionStream } from '../domain/stream-names';
import { sha256Hex } from '../integrity/event-hash';
import { toLedgerEvent, type LedgerEvent } from '../domain/ledger-event';
import type { EventStore, StoredEvent, Subscription } from '../store/event-store';
import { EventWaiters } from './event-waiters';
import {
  CITED_BY_PREVIEW,
  exactPositionTotal,
  matchesText,
  pageOf,
  positionCountsOf,
  type PositionCounts,
  type Page,
  type PageRequest,
  type PositionQuery,
  type ReadModel,
  type TimelineQuery,
} from './read-model';
import { relatedFrom, stanceOf, type PositionView, type Stance, type ViewPoint } from './stance';
import { ledgerTimeline, positionTimeline, timelineKey, type LedgerTimelineFilter, type TimelineEntry } from './timeline';

export const DocumentView = SourceDocumentRegistered.extend({
  eventId: z.string(),
  recordedAt: z.string(),
  recordedBy: z.string(),
  citedBy: z
    .array(z.string())
    .readonly()
    .meta({ description: 'positions whose history cites this document, in id order: a page of them (the first few in a list of documents)' }),
  citedByCount: z.number().int().min(0).meta({ description: 'how many positions cite this document (all pages)' }),
  citedByNext: z.string().nullable().meta({ description: 'cursor of the next page of citedBy (GET /api/documents/{id}?cursor=…), or null' }),
}).meta({ id: 'DocumentView' });
export type DocumentView = z.infer<typeof DocumentView>;

/**
 * The version a researcher cites: how many decisions the ledger had recorded (the events of
 * positions and documents, in global order) and a digest of them. The ledger's own audit records
 * (checkpoints) are not part of it, so recording a checkpoint never changes what an unchanged
 * ledger cites. `events` and `lastPosition` say how far the read model has read the store, audit
 * records included (for holding two reads to the same state), not what is cited.
 */
export interface LedgerVersion {
  readonly version: number;
  readonly digest: string | null;
  readonly events: number;
  readonly lastPosition: string | null;
}

const EMPTY_VERSION: LedgerVersion = { version: 0, digest: null, events: 0, lastPosition: null };

export type PositionFilter = PositionQuery;

const isTimeTravel = (view: ViewPoint) => view.asOf !== undefined || view.recordedAsOf !== undefined || view.version !== undefined;

export interface Unreadable {
  readonly eventId: string;
  readonly streamId: string;
  readonly position: string;
  readonly problem: string;
}

/**
 * The live read model. It holds every event (the ledger is small: thousands of events, not
 * millions) and derives each view by a pure fold; current stances are cached per stream and
 * refolded when that stream changes. Rebuilding is the same code as following: `apply` each event
 * from event one.
 */
export class LedgerProjection implements ReadModel {
  private readonly all: LedgerEvent[] = [];
  private readonly streams = new Map<string, LedgerEvent[]>();
  private readonly current = new Map<string, Stance>();
  private readonly documents = new Map<string, DocumentView>();
  private readonly applied = new Set<string>();
  private readonly waiters = new EventWaiters();
  private readonly unreadable: Unreadable[] = [];
  private lastPosition: string | undefined;
  /** running digest over every decision's hash in global order: one value that names this exact ledger state */
  private digest = '';
  /** the ledger version each recorded decision made (index = version - 1), so any version can be served again */
  private readonly versions: LedgerVersion[] = [];
  /** each decision's event id → the version it made */
  private readonly versionOf = new Map<string, number>();
  private subscription: Subscription | undefined;

  /** Folds every stored event from the first, then follows the store live. */
  static async follow(store: EventStore, onError?: (error: unknown) => void): Promise<LedgerProjection> {
    const projection = await LedgerProjection.rebuild(store);
    projection.subscription = store.subscribeToAll({ after: projection.lastPosition, onError }, (e) => projection.apply(e));
    return projection;
  }

  /** Folds every stored event from the first; does not follow. */
  static async rebuild(store: EventStore): Promise<LedgerProjection> {
    const projection = new LedgerProjection();
    for (;;) {
      const page = await store.readAll({ after: projection.lastPosition, maxCount: 1000 });
      if (page.length === 0) break;
      for (const e of page) projection.apply(e);
    }
    return projection;
  }

  apply(stored: StoredEvent): void {
    if (this.applied.has(stored.id)) return;
    this.applied.add(stored.id);
    this.lastPosition = stored.position;
    if (isAuditStream(stored.streamId)) {
      // the ledger's own audit records (checkpoints): read, but neither a decision nor part of the cited version
      this.release(stored.id);
      return;
    }
    let event: LedgerEvent;
    try {
      event = toLedgerEvent(stored);
    } catch (error) {
      // An unreadable event is reported (verify, /health) rather than taking the read model down.
      this.unreadable.push({ eventId: stored.id, streamId: stored.streamId, position: stored.position, problem: (error as Error).message });
      this.release(stored.id);
      return;
    }
    this.all.push(event);
    this.digest = sha256Hex(`${this.digest}${event.metadata.hash}`);
    this.versions.push({ version: this.versions.length + 1, digest: this.digest, events: this.applied.size, lastPosition: stored.position });
    this.versionOf.set(event.eventId, this.versions.length);
    const stream = this.streams.get(event.streamId) ?? [];
    stream.push(event);
    this.streams.set(event.streamId, stream);
    if (event.type === 'SourceDocumentRegistered') {
      this.documents.set(event.data.documentId, {
        ...event.data,
        eventId: event.eventId,
        recordedAt: event.metadata.recordedAt,
        recordedBy: event.metadata.recordedBy,
        citedBy: [],
        citedByCount: 0,
        citedByNext: null,
      });
    } else {
      const stance = stanceOf(stream);
      if (stance) this.current.set(stance.id, stance);
    }
    this.release(stored.id);
  }

  /** Resolves once the event is in the read model (read-your-writes after an append). */
  waitFor(eventId: string, timeoutMs = 5000): Promise<boolean> {
    return this.applied.has(eventId) ? Promise.resolve(true) : this.waiters.wait(eventId, timeoutMs);
  }

  private release(eventId: string): void {
    this.waiters.release([eventId]);
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
  }

  // ---- queries -------------------------------------------------------------------------------

  /** Positions, current or in a bitemporal view, filtered, in id order. */
  positions(filter: PositionFilter = {}): Stance[] {
    const stances = isTimeTravel(filter)
      ? [...this.positionStreams(filter.version)].map((s) => stanceOf(s, filter)).filter((s): s is Stance => s !== undefined)
      : [...this.current.values()];
    return stances
      .filter(
        (s) =>
          (!filter.theme || s.themes.includes(filter.theme)) &&
          (!filter.addressee || s.addressees.includes(filter.addressee)) &&
          (!filter.status || s.status === filter.status) &&
          (filter.q === undefined || matchesText(filter.q, [s.title, s.statement, s.source.quote])),
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  positionPage(query: PositionQuery, page?: PageRequest): Page<Stance> {
    return pageOf('positions', this.positions(query), (s) => [s.id], ['string'], page, exactPositionTotal(query));
  }

  positionCounts(view: ViewPoint = {}): PositionCounts {
    return positionCountsOf(this.positions(view).map((s) => ({ status: s.status, themes: s.themes, addressees: s.addressees, n: 1 })));
  }

  timelinePage(query: TimelineQuery, page?: PageRequest): Page<TimelineEntry> {
    return pageOf('timeline', this.timeline(query), timelineKey, ['string', 'string', 'number', 'string'], page);
  }

  position(id: string, view: ViewPoint = {}): Stance | undefined {
    if (!isTimeTravel(view)) return this.current.get(id);
    const stream = this.stream(positionStream(id), view.version);
    return stream && stanceOf(stream, view);
  }

  relatedFrom(id: string, view: ViewPoint = {}): PositionView['relatedFrom'] {
    return relatedFrom(id, this.positions(view));
  }

  positionEvents(id: string): readonly LedgerEvent[] | undefined {
    return this.streams.get(positionStream(id));
  }

  positionTimeline(id: string, view: ViewPoint = {}): TimelineEntry[] | undefined {
    const stream = this.stream(positionStream(id), view.version);
    return stream && positionTimeline(stream, view);
  }

  timeline(filter: LedgerTimelineFilter = {}): TimelineEntry[] {
    return ledgerTimeline(this.positionStreams(filter.version), filter);
  }

  documentList(view: Pick<ViewPoint, 'version'> = {}): DocumentView[] {
    return [...this.documents.keys()].sort().flatMap((id) => this.document(id, view, { limit: CITED_BY_PREVIEW }) ?? []);
  }

  document(id: string, view: Pick<ViewPoint, 'version'> = {}, page?: PageRequest): DocumentView | undefined {
    const doc = this.documents.get(id);
    if (!doc || !this.recordedBy(doc.eventId, view.version)) return undefined;
    const positions = view.version === undefined ? [...this.current.values()] : this.positions({ version: view.version });
    const citing = positions
      .filter((s) => this.cites(s.id, id, view.version))
      .map((s) => s.id)
      .sort();
    const cited = pageOf('citedBy', citing, (p) => [p], ['string'], page, true);
    return { ...doc, citedBy: cited.items, citedByCount: citing.length, citedByNext: cited.next };
  }

  /** Every event in global order (for auditors and exports). */
  events(): readonly LedgerEvent[] {
    return this.all;
  }

  unreadableEvents(): readonly Unreadable[] {
    return this.unreadable;
  }

  recorders(): string[] {
    return [...new Set(this.all.map((e) => e.metadata.recordedBy))].sort();
  }

  /** Events with this idempotency key recorded by this actor (across all streams). */
  recordedWithKey(actorId: string, key: string): LedgerEvent[] {
    return this.all.filter((e) => e.metadata.idempotencyKey === key && e.metadata.recordedBy === actorId);
  }

  /** The citable version of the ledger now, or as it was at an earlier version (undefined: not recorded yet). */
  version(at?: number): LedgerVersion {
    if (at === undefined)
      return { version: this.versions.length, digest: this.digest || null, events: this.applied.size, lastPosition: this.lastPosition ?? null };
    if (at === 0) return EMPTY_VERSION;
    return this.versions[at - 1]!;
  }

  private recordedBy(eventId: string, version: number | undefined): boolean {
    return version === undefined || (this.versionOf.get(eventId) ?? Infinity) <= version;
  }

  /** A stream as it stood at a version: the prefix of it recorded by then (undefined when none was). */
  private stream(streamId: string, version: number | undefined): readonly LedgerEvent[] | undefined {
    const stream = this.streams.get(streamId);
    if (!stream || version === undefined) return stream;
    const known = stream.filter((e) => this.recordedBy(e.eventId, version));
    return known.length > 0 ? known : undefined;
  }

  private *positionStreams(version?: number): Iterable<readonly LedgerEvent[]> {
    for (const id of this.streams.keys()) {
      if (!isPositionStream(id)) continue;
      const stream = this.stream(id, version);
      if (stream) yield stream;
    }
  }

  private cites(positionId: string, documentId: string, version?: number): boolean {
    return (this.stream(positionStream(positionId), version) ?? []).some((e) => {
      const data = e.data as { source?: { documentId?: string }; changes?: { source?: { documentId?: string } } };
      return data.source?.documentId === documentId || data.changes?.source?.documentId === documentId;
    });
  }
}
