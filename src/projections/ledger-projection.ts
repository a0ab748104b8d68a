import { z } from 'zod';
import { SourceDocumentRegistered } from '../domain/events';
import { isAuditStream, isPositionStream, positionStream } from '../domain/stream-names';
import { sha256Hex } from '../integrity/event-hash';
import { toLedgerEvent, type LedgerEvent } from '../domain/ledger-event';
import type { EventStore, StoredEvent, Subscription } from '../store/event-store';
import { matchesText, pageOf, type Page, type PageRequest, type PositionQuery, type ReadModel, type TimelineQuery } from './read-model';
import { relatedFrom, stanceOf, type PositionView, type Stance, type ViewPoint } from './stance';
import { ledgerTimeline, positionTimeline, timelineKey, type LedgerTimelineFilter, type TimelineEntry } from './timeline';

export const DocumentView = SourceDocumentRegistered.extend({
  eventId: z.string(),
  recordedAt: z.string(),
  recordedBy: z.string(),
  citedBy: z.array(z.string()).readonly().meta({ description: 'positions whose history cites this document' }),
}).meta({ id: 'DocumentView' });
export type DocumentView = z.infer<typeof DocumentView>;

export interface LedgerVersion {
  readonly events: number;
  readonly lastPosition: string | null;
  readonly digest: string | null;
}

export type PositionFilter = PositionQuery;

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
  private readonly waiters = new Map<string, Array<() => void>>();
  private readonly unreadable: Unreadable[] = [];
  private lastPosition: string | undefined;
  /** running digest over every event hash in global order: one value that names this exact ledger state */
  private digest = '';
  private subscription: Subscription | undefined;

  /** Folds every stored event from the first, then follows the store live. */
  static async follow(store: EventStore, onError?: (error: unknown) => void): Promise<LedgerProjection> {
    const projection = await LedgerProjection.rebuild(store);
    projection.subscription = store.subscribeToAll(
      { after: projection.lastPosition, onError },
      (e) => projection.apply(e),
    );
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
      // the ledger's own audit records (checkpoints): part of the version it cites, never of a position
      const hash = (stored.metadata as { hash?: unknown }).hash;
      this.digest = sha256Hex(`${this.digest}${typeof hash === 'string' ? hash : ''}`);
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
      });
    } else {
      const stance = stanceOf(stream);
      if (stance) this.current.set(stance.id, stance);
    }
    this.release(stored.id);
  }

  /** Resolves once the event is in the read model (read-your-writes after an append). */
  waitFor(eventId: string, timeoutMs = 5000): Promise<boolean> {
    if (this.applied.has(eventId)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const list = this.waiters.get(eventId) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      this.waiters.set(eventId, list);
    });
  }

  private release(eventId: string): void {
    const list = this.waiters.get(eventId);
    if (!list) return;
    this.waiters.delete(eventId);
    for (const resolve of list) resolve();
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
  }

  // ---- queries -------------------------------------------------------------------------------

  /** Positions, current or in a bitemporal view, filtered, in id order. */
  positions(filter: PositionFilter = {}): Stance[] {
    const timeTravel = filter.asOf !== undefined || filter.recordedAsOf !== undefined;
    const stances = timeTravel
      ? [...this.positionStreams()].map((s) => stanceOf(s, filter)).filter((s): s is Stance => s !== undefined)
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
    return pageOf('positions', this.positions(query), (s) => [s.id], ['string'], page);
  }

  timelinePage(query: TimelineQuery, page?: PageRequest): Page<TimelineEntry> {
    return pageOf('timeline', this.timeline(query), timelineKey, ['string', 'string', 'number', 'string'], page);
  }

  position(id: string, view: ViewPoint = {}): Stance | undefined {
    if (view.asOf === undefined && view.recordedAsOf === undefined) return this.current.get(id);
    const stream = this.streams.get(positionStream(id));
    return stream && stanceOf(stream, view);
  }

  relatedFrom(id: string, view: ViewPoint = {}): PositionView['relatedFrom'] {
    return relatedFrom(id, this.positions(view));
  }

  positionEvents(id: string): readonly LedgerEvent[] | undefined {
    return this.streams.get(positionStream(id));
  }

  positionTimeline(id: string, view: ViewPoint = {}): TimelineEntry[] | undefined {
    const stream = this.streams.get(positionStream(id));
    return stream && positionTimeline(stream, view);
  }

  timeline(filter: LedgerTimelineFilter = {}): TimelineEntry[] {
    return ledgerTimeline(this.positionStreams(), filter);
  }

  documentList(): DocumentView[] {
    return [...this.documents.keys()].sort().map((id) => this.document(id)!);
  }

  document(id: string): DocumentView | undefined {
    const doc = this.documents.get(id);
    if (!doc) return undefined;
    const citedBy = [...this.current.values()].filter((s) => this.cites(s.id, id)).map((s) => s.id).sort();
    return { ...doc, citedBy };
  }

  /** Every event in global order (for auditors and exports). */
  events(): readonly LedgerEvent[] {
    return this.all;
  }

  unreadableEvents(): readonly Unreadable[] {
    return this.unreadable;
  }

  /** Events with this idempotency key recorded by this actor (across all streams). */
  recordedWithKey(actorId: string, key: string): LedgerEvent[] {
    return this.all.filter((e) => e.metadata.idempotencyKey === key && e.metadata.recordedBy === actorId);
  }

  /** A citable version of the ledger: how many events, the position of the last, and a digest of them all. */
  version(): LedgerVersion {
    return { events: this.applied.size, lastPosition: this.lastPosition ?? null, digest: this.digest || null };
  }

  private *positionStreams(): Iterable<readonly LedgerEvent[]> {
    for (const [id, stream] of this.streams) if (isPositionStream(id)) yield stream;
  }

  private cites(positionId: string, documentId: string): boolean {
    return (this.streams.get(positionStream(positionId)) ?? []).some((e) => {
      const data = e.data as { source?: { documentId?: string }; changes?: { source?: { documentId?: string } } };
      return data.source?.documentId === documentId || data.changes?.source?.documentId === documentId;
    });
  }
}
