import fc from 'fast-check';
import type { LedgerEvent } from '../../src/domain/ledger-event';
import { PositionProjection, type KnownRowState, type OpenStance, type OpenTimelineRow } from '../../src/projections/read-store/position-projection';
import { positionRows } from '../../src/projections/read-store/position-rows';

/**
 * The read store follows each position forward event by event, writing only what changes; its rows
 * must be exactly the rows the from-scratch reference (positionRows) gives for the whole stream,
 * whatever the history: revisions dated before earlier ones, endorsements, withdrawals,
 * corrections that move a date, several events recorded at one instant, and the position's state
 * read back from the file half-way.
 */
const DATES = ['2006', '2008-05', '2009-06-15', '2011-07-20/2014-01-21', '2014-02', '2016'];
const WORDS = ['Cities ask.', 'Cities ask again.', 'Cities réception.'];

type Op =
  | { kind: 'revise'; date: number; word: number; title: boolean; themes: boolean }
  | { kind: 'endorse'; revision: number; date: number }
  | { kind: 'withdraw'; date: number }
  | { kind: 'correct'; target: number; date: number | null; word: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('revise' as const),
    date: fc.nat(DATES.length - 1),
    word: fc.nat(WORDS.length - 1),
    title: fc.boolean(),
    themes: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('endorse' as const), revision: fc.nat(4), date: fc.nat(DATES.length - 1) }),
  fc.record({ kind: fc.constant('withdraw' as const), date: fc.nat(DATES.length - 1) }),
  fc.record({ kind: fc.constant('correct' as const), target: fc.nat(10), date: fc.option(fc.nat(DATES.length - 1)), word: fc.nat(WORDS.length - 1) }),
);

/** a stream of one position: added, then the ops, recorded at instants that never go back (0 = same instant as the one before) */
function streamOf(addedOn: number, ops: readonly Op[], steps: readonly number[]): LedgerEvent[] {
  const events: LedgerEvent[] = [];
  let at = Date.parse('2024-01-01T00:00:00.000Z');
  const push = (type: string, data: Record<string, unknown>, i: number) => {
    at += (steps[i] ?? 1) * 1000;
    const r = events.length;
    events.push({
      type,
      data,
      eventId: `00000000-0000-4000-8000-${String(r).padStart(12, '0')}`,
      streamId: 'position-p',
      streamRevision: r,
      position: String(r + 1),
      metadata: { schemaVersion: 2, recordedAt: new Date(at).toISOString(), recordedBy: 'secretariat/test', prevHash: null, hash: '0'.repeat(64) },
    } as unknown as LedgerEvent);
  };
  const source = (n: number) => ({ documentId: `doc-${n % 2}`, locator: `item ${n}`, quote: `quote ${n}` });
  push(
    'PositionAdded',
    { positionId: 'p', title: 'P', statement: WORDS[0], themes: ['governance'], addressees: ['cities'], decidedOn: DATES[addedOn], source: source(0) },
    0,
  );
  let texts = 1;
  for (const [i, o] of ops.entries()) {
    if (o.kind === 'revise') {
      texts += 1;
      push(
        'PositionRevised',
        {
          positionId: 'p',
          revision: texts,
          statement: WORDS[o.word],
          ...(o.title ? { title: `P${texts}` } : {}),
          ...(o.themes ? { themes: ['governance', 'monitoring-data'] } : {}),
          decidedOn: DATES[o.date],
          source: source(texts),
          rationale: 'r',
          ...(texts === 3 ? { relatesTo: [{ positionId: 'q', kind: 'extends' }] } : {}),
        },
        i + 1,
      );
    } else if (o.kind === 'endorse')
      push('PositionEndorsed', { positionId: 'p', revision: 1 + (o.revision % texts), endorsedBy: 'WG', decidedOn: DATES[o.date] }, i + 1);
    else if (o.kind === 'withdraw') push('PositionWithdrawn', { positionId: 'p', decidedOn: DATES[o.date], reason: 'gone' }, i + 1);
    else {
      const targets = events.filter((e) => e.type !== 'PositionRecordCorrected');
      const target = targets[o.target % targets.length]!;
      const changes = o.date === null ? { statement: WORDS[o.word] } : { decidedOn: DATES[o.date] };
      push('PositionRecordCorrected', { positionId: 'p', correctsEventId: target.eventId, changes, reason: 'mistake' }, i + 1);
    }
  }
  return events;
}

/** What the file would hold: every row written, with the closing instants written later. */
class Written {
  stances = new Map<number, OpenStance>();
  timeline = new Map<number, OpenTimelineRow>();
  known = new Map<number, KnownRowState>();
  private next = 1;

  take(p: PositionProjection): void {
    const t = p.takeTouched();
    for (const s of t.stances) this.write(this.stances, s);
    for (const r of t.timeline) this.write(this.timeline, r);
    for (const k of t.known) {
      if (k.stored) this.known.get(k.recFrom)!.recTo = k.recTo;
      else this.known.set(k.recFrom, { ...k });
      k.stored = true;
    }
  }

  private write<R extends { id?: number; recTo: number | null }>(table: Map<number, R>, row: R): void {
    if (row.id === undefined) {
      row.id = this.next++;
      table.set(row.id, { ...row });
    } else table.get(row.id)!.recTo = row.recTo;
  }

  /** a projection read back from these rows, as the read store does for a position it no longer holds in memory */
  readBack(events: readonly LedgerEvent[]): PositionProjection {
    const open = <R extends { recTo: number | null }>(m: Map<number, R>) => [...m.values()].filter((r) => r.recTo === null);
    return new PositionProjection('p', [...events], {
      stances: open(this.stances).map((s) => ({
        bizFrom: s.bizFrom,
        bizTo: s.bizTo,
        title: s.title,
        statement: s.statement,
        json: s.json,
        recFrom: s.recFrom,
        recTo: null,
        id: s.id,
      })),
      timeline: open(this.timeline).map((r) => ({ eventId: r.eventId, json: r.json, recFrom: r.recFrom, recTo: null, id: r.id })),
      known: open(this.known).map((k) => ({ ...k, stored: true }))[0],
    });
  }
}

describe('a position followed forward (fast-check)', () => {
  it('writes exactly the rows the from-scratch reference gives, in batches, read back from the file or not', () => {
    fc.assert(
      fc.property(
        fc.nat(DATES.length - 1),
        fc.array(op, { maxLength: 8 }),
        fc.array(fc.nat(2), { minLength: 9, maxLength: 9 }),
        fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
        fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
        (addedOn, ops, steps, cuts, readBacks) => {
          const stream = streamOf(addedOn, ops, steps);
          const written = new Written();
          let projection = new PositionProjection('p');
          let batch: LedgerEvent[] = [];
          const flush = (i: number) => {
            expect(projection.accepts(batch)).toBe(true);
            for (let a = 0; a < batch.length;) {
              const at = Date.parse(batch[a]!.metadata.recordedAt);
              let b = a + 1;
              while (b < batch.length && Date.parse(batch[b]!.metadata.recordedAt) === at) b += 1;
              projection.advance(batch.slice(a, b), at);
              a = b;
            }
            written.take(projection);
            batch = [];
            if (readBacks[i]) projection = written.readBack(stream.slice(0, i + 1));
          };
          for (const [i, e] of stream.entries()) {
            batch.push(e);
            // a batch ends between two instants, never inside one (the read store refolds a stream whose batch begins at its latest instant)
            const next = stream[i + 1];
            if (next === undefined || (cuts[i] && next.metadata.recordedAt !== e.metadata.recordedAt)) flush(i);
          }
          const reference = positionRows('p', stream);
          const byPlace = <R extends { recFrom: number; bizFrom?: string }>(a: R, b: R) =>
            a.recFrom - b.recFrom || (a.bizFrom ?? '').localeCompare(b.bizFrom ?? '');
          expect(
            [...written.stances.values()]
              .map((s) => ({ recFrom: s.recFrom, recTo: s.recTo, bizFrom: s.bizFrom, bizTo: s.bizTo, stance: s.content }))
              .sort(byPlace),
          ).toEqual([...reference.stances].sort(byPlace));
          expect([...written.known.values()].map(({ stored: _s, ...k }) => k).sort(byPlace)).toEqual([...reference.known].sort(byPlace));
          const timeline = (rows: { recFrom: number; recTo: number | null; json: string }[]) => rows.map((r) => `${r.recFrom} ${r.recTo} ${r.json}`).sort();
          expect(timeline([...written.timeline.values()])).toEqual(timeline(reference.timeline.map((t) => ({ ...t, json: JSON.stringify(t.entry) }))));
          expect([...projection.cites].sort()).toEqual(reference.cites);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses events recorded before (or at) the latest instant it has followed: the read store refolds those streams from scratch', () => {
    const stream = streamOf(
      0,
      [
        { kind: 'withdraw', date: 3 },
        { kind: 'endorse', revision: 0, date: 1 },
      ],
      [1, 1, 0],
    );
    const projection = new PositionProjection('p');
    expect(projection.accepts(stream)).toBe(true);
    projection.advance(stream.slice(0, 1), Date.parse(stream[0]!.metadata.recordedAt));
    expect(projection.accepts(stream.slice(1))).toBe(true);
    projection.advance(stream.slice(1, 2), Date.parse(stream[1]!.metadata.recordedAt));
    expect(projection.accepts(stream.slice(2))).toBe(false);
    expect(projection.accepts([stream[0]!])).toBe(false);
  });
});
