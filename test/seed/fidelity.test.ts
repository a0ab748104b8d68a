import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSeedDir, importSeedDir } from '../../src/seed/import';
import type { SeedEntry } from '../../src/seed/seed-file';
import { Ledger } from '../../src/command-handling/ledger';
import { LedgerProjection } from '../../src/projections/ledger-projection';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { locateCitations } from '../../src/sources/cited-passages';

/**
 * The seed history is reviewed data: this test holds it to the source documents in sources/.
 * - Statements may join verbatim passages with " […] " (the usual mark of an omission); every
 *   passage must occur in the cited document as printed there, apart from whitespace and the
 *   Markdown emphasis marks of the text files, and at the place its locator names.
 * - The sources' own slips are kept and marked " [sic]" right after them in a statement (the
 *   marker is the only thing a statement adds); a quote stays verbatim, its slip marked in the
 *   locator or note beside it.
 * - No date more precise than its source: every decision is dated exactly as the document it
 *   comes from, and each document as its note shows.
 * - No endorsement without a source: each names the document, place and words that support it,
 *   attributes the adoption only to a body that document names, and says so when the source is
 *   informal.
 */
const ROOT = join(__dirname, '../..');
const SOURCES = join(ROOT, 'sources');
const entries: SeedEntry[] = readSeedDir(join(ROOT, 'events')).flatMap((f) => f.entries);

/** The slips of the sources that a statement or quote may repeat: each must be marked [sic]. */
const SLIPS = ['exiting', 'asylum- seeking', 'Developing integrated approach'];
const SIC = ' [sic]';

const normalise = (text: string) => text.replace(/\*+/g, '').replace(/\s+/g, ' ').trim();
const withoutSic = (text: string) => text.split(SIC).join('');
const passages = (text: string) => withoutSic(text).split(' […] ').map(normalise);

const documents = new Map(entries.flatMap((e) => (e.command === 'RegisterDocument' ? [[e.body.id, e.body] as const] : [])));
const rawText = (documentId: string) => {
  const doc = documents.get(documentId);
  if (!doc?.file) throw new Error(`document ${documentId} is not registered in the seed with its file`);
  return readFileSync(join(SOURCES, doc.file), 'utf8');
};
const sourceText = (documentId: string) => normalise(rawText(documentId));

interface Cited {
  entry: string;
  documentId: string;
  locator: string;
  decidedOn: string;
  statement?: string;
  quote?: string;
  note?: string;
}
const cited: Cited[] = entries.flatMap((e): Cited[] => {
  if (e.command === 'AddPosition')
    return [
      {
        entry: e.entry,
        documentId: e.body.source.documentId,
        locator: e.body.source.locator,
        decidedOn: e.body.decidedOn,
        statement: e.body.statement,
        quote: e.body.source.quote,
        note: e.body.note,
      },
    ];
  if (e.command === 'RevisePosition')
    return [
      {
        entry: e.entry,
        documentId: e.body.source.documentId,
        locator: e.body.source.locator,
        decidedOn: e.body.decidedOn,
        statement: e.body.statement,
        quote: e.body.source.quote,
        note: e.body.rationale,
      },
    ];
  return [];
});
const endorsements = entries.flatMap((e) => (e.command === 'EndorsePosition' ? [{ entry: e.entry, positionId: e.positionId, ...e.body }] : []));

/** The text of a numbered item under a heading of the recommendations ("…, item N"), or undefined. */
function numberedItem(raw: string, locator: string): string | undefined {
  const m = /^(.*?),(?: "(.+?)",)? item (\d+)$/.exec(locator);
  if (!m) return undefined;
  const from = raw.indexOf(m[1]!);
  if (from < 0) return undefined;
  const next = raw.indexOf('\n## ', from + m[1]!.length);
  const section = raw.slice(from, next < 0 ? raw.length : next);
  if (m[2] !== undefined && !section.includes(m[2])) return undefined;
  const item = section.split(/\n(?=\d+\. )/).find((block) => block.startsWith(`${m[3]}. `));
  return item && normalise(item.replace(/^\d+\. /, '').split(/\n\s*\n/)[0]!);
}

/** The part of the contribution that belongs to the bullet its locator names: from that bullet to the next. */
function bulletSection(raw: string, locator: string): string | undefined {
  const m = /bullet "(.+?)"/.exec(locator);
  if (!m) return undefined;
  const text = normalise(raw);
  const from = text.indexOf(`- ${m[1]}`);
  if (from < 0) return '';
  const next = text.indexOf(' - ', from + m[1]!.length);
  return text.slice(from, next < 0 ? text.length : next);
}

describe('the seed history is faithful to the source documents', () => {
  it("registers both source documents, each naming its file and that file's exact SHA-256", () => {
    expect([...documents.keys()].sort()).toEqual(['home-affairs-contribution', 'political-recommendations']);
    for (const doc of documents.values()) {
      const bytes = readFileSync(join(SOURCES, doc.file!));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(doc.contentSha256);
    }
  });

  it.each(cited.map((c) => [c.entry, c] as const))('%s: statement and quote are verbatim from the cited document, at its locator', (_name, c) => {
    const text = sourceText(c.documentId);
    for (const part of [...(c.statement ? passages(c.statement) : []), ...(c.quote ? passages(c.quote) : [])]) {
      expect(part.length).toBeGreaterThan(20);
      expect(text).toContain(part);
    }
    const raw = rawText(c.documentId);
    const item = numberedItem(raw, c.locator);
    const bullet = bulletSection(raw, c.locator);
    if (c.documentId === 'political-recommendations') {
      expect(normalise(withoutSic(c.statement!))).toBe(item);
      // the quote is the item itself, as printed, not its heading
      expect(normalise(c.quote ?? '')).toBe(item);
    }
    if (bullet !== undefined) {
      // the quote is the passage the statement comes from, inside the bullet's part; the bullet's heading is in the locator
      for (const part of [...passages(c.statement!), ...passages(c.quote ?? '')]) expect(bullet).toContain(part);
    }
    if (item === undefined && bullet === undefined) expect(c.locator).toMatch(/^(second paragraph|closing paragraph)/);
  });

  it.each(cited.map((c) => [c.entry, c] as const))(
    '%s: quotes the passage its statement comes from, found where the document page looks for it',
    (_name, c) => {
      expect(c.quote).toBeDefined();
      const { ranges, missing } = locateCitations(rawText(c.documentId), [{ quote: c.quote!, positionId: c.entry }]);
      expect(missing).toEqual([]);
      // every passage of the statement lies inside what the quote highlights
      const highlighted = normalise(ranges.map((r) => rawText(c.documentId).slice(r.start, r.end)).join(' '));
      for (const part of passages(c.statement!)) expect(highlighted).toContain(part);
    },
  );

  it.each(cited.map((c) => [c.entry, c] as const))('%s: every slip of the source is marked [sic], and [sic] marks nothing else', (_name, c) => {
    const marked = [...(c.statement ?? '').matchAll(/(\S+(?: \S+)?) \[sic\]/g)].map((m) => m[1]!);
    for (const m of marked) expect(SLIPS.some((slip) => m.endsWith(slip))).toBe(true);
    for (const slip of SLIPS) {
      if (c.statement?.includes(slip)) expect(c.statement).toContain(`${slip}${SIC}`);
      // a quote is left verbatim: its slip is marked beside it
      if (c.quote?.includes(slip)) expect(`${c.locator} ${c.note ?? ''}`).toContain('[sic]');
    }
    expect(c.quote ?? '').not.toContain('[sic]');
  });

  it('records every numbered commitment and recommendation of the earlier document, word for word, once', () => {
    const raw = rawText('political-recommendations');
    const section = (heading: string, next?: string) => {
      const from = raw.indexOf(heading);
      const to = next ? raw.indexOf(next) : raw.length;
      expect(from).toBeGreaterThan(-1);
      return raw.slice(from, to);
    };
    const items = (text: string) =>
      text
        .split(/\n\s*\n|\n(?=\d+\. )/)
        .map((block) => block.trim())
        .filter((block) => /^\d+\. /.test(block))
        .map((block) => normalise(block.replace(/^\d+\. /, '')));
    const commitments = items(section('COMMIT OURSELVES', 'REGARDING THE POLICIES OF NATIONAL'));
    const national = items(section('REGARDING THE POLICIES OF NATIONAL', 'REGARDING THE POLICIES OF THE EUROPEAN UNION'));
    const eu = items(section('REGARDING THE POLICIES OF THE EUROPEAN UNION'));
    expect([commitments.length, national.length, eu.length]).toEqual([6, 10, 7]);

    const added = entries.flatMap((e) => (e.command === 'AddPosition' && e.body.source.documentId === 'political-recommendations' ? [e.body] : []));
    const byAddressee = (a: string) => added.filter((p) => p.addressees.includes(a as never)).map((p) => normalise(withoutSic(p.statement)));
    expect(byAddressee('cities')).toEqual(commitments);
    expect(byAddressee('national-governments')).toEqual(national);
    expect(byAddressee('eu-institutions')).toEqual(eu);
  });

  it('dates each document as its note shows: after the latest event it names, before the earliest it presupposes', () => {
    expect(documents.get('political-recommendations')!.issuedOn).toBe('1999-10/2007-02');
    expect(documents.get('political-recommendations')!.note).toMatch(/Tampere European Council of 15-16 October 1999[\s\S]*from 1 March 2007/);
    expect(documents.get('home-affairs-contribution')!.issuedOn).toBe('2011-07-20/2014-01-21');
    expect(documents.get('home-affairs-contribution')!.note).toMatch(/closed on 21 January 2014[\s\S]*20 July 2011/);
  });

  it('no date more precise than its source: every decision is dated exactly as the document that records it', () => {
    for (const c of cited) expect({ entry: c.entry, decidedOn: c.decidedOn }).toEqual({ entry: c.entry, decidedOn: documents.get(c.documentId)!.issuedOn });
    for (const e of endorsements) {
      const documentId = /^Source: ([a-z0-9-]+),/.exec(e.reference ?? '')?.[1] ?? '';
      expect({ entry: e.entry, decidedOn: e.decidedOn }).toEqual({ entry: e.entry, decidedOn: documents.get(documentId)?.issuedOn });
    }
  });

  it.each(endorsements.map((e) => [e.entry, e] as const))('%s: no endorsement without a source that names who adopted it', (_name, e) => {
    const m = /^Source: ([a-z0-9-]+), [^"]*"([^"]+)"/.exec(e.reference ?? '');
    expect(m).not.toBeNull();
    const [, documentId, words] = m!;
    expect(documents.has(documentId!)).toBe(true);
    const text = sourceText(documentId!);
    expect(text).toContain(normalise(words!));
    // adoption attributed only to a body the document itself names
    expect(text.toLowerCase()).toContain(e.endorsedBy.toLowerCase());
    // the place cited is the section the position is in, not another section of the document
    const position = cited.find((c) => c.entry.endsWith(`/${e.positionId}/added`))!;
    const heading = /^Source: [a-z0-9-]+, heading "([^"]+)"/.exec(e.reference ?? '')?.[1];
    if (position.documentId === documentId && heading !== undefined) expect(position.locator.startsWith(`${heading},`)).toBe(true);
    // a document that speaks as the body is cited as speaking as it, and for no adoption beyond that
    if (documentId === 'political-recommendations') expect(e.reference).toMatch(/speaks as[\s\S]*records no act of adoption/);
    // a source that calls itself informal supports no formal adoption
    if (/\binformal\b/i.test(text)) expect(e.reference).toContain('informal contribution; no formal adoption recorded');
  });

  it('tags undocumented-vulnerable where the text is about undocumented or irregular migrants, people refused permission to stay, or the most vulnerable groups', () => {
    const tagged = entries.flatMap((e) => (e.command === 'AddPosition' && e.body.themes.includes('undocumented-vulnerable') ? [e.body.id] : [])).sort();
    expect(tagged).toEqual(['cities-4', 'eu-7', 'eu-dignity-and-social-cohesion', 'eu-undocumented-migrants', 'national-8', 'national-9']);
  });
});

describe('the seed history, imported', () => {
  let store: SqliteEventStore;
  let projection: LedgerProjection;
  beforeAll(async () => {
    store = new SqliteEventStore(':memory:');
    const ledger = new Ledger(store, { historyStart: '2006-01-01', now: () => new Date('2026-11-23T10:00:00Z') });
    await importSeedDir(ledger, join(ROOT, 'events'));
    projection = await LedgerProjection.rebuild(store);
  });
  afterAll(() => store.close());

  it('has the 23 positions of the undated recommendations, counted from the last day they may date from (28 February 2007), adopted by the authorities they speak for', () => {
    expect(projection.positions({ asOf: '2006' })).toEqual([]);
    expect(projection.positions({ asOf: '2007-02-27' })).toEqual([]);
    const early = projection.positions({ asOf: '2007-02' });
    expect(early).toHaveLength(23);
    expect(projection.positions({ asOf: '2013' })).toEqual(early);
    for (const p of early) {
      expect(p).toMatchObject({ status: 'endorsed', addedOn: '1999-10/2007-02', source: { documentId: 'political-recommendations' } });
      expect(p.latestEndorsement).toMatchObject({ endorsedBy: 'The public authorities of the cities of Europe', decidedOn: '1999-10/2007-02' });
    }
  });

  it('revises only eu-4, the one position the 2014 contribution restates; its other asks are new positions related to the earlier ones, which stand unchanged', () => {
    const now = projection.positions({});
    expect(now.filter((p) => p.revision > 1).map((p) => p.id)).toEqual(['eu-4']);
    expect(projection.positionTimeline('eu-4')!.find((t) => t.type === 'PositionRevised')).toMatchObject({ decidedOn: '2011-07-20/2014-01-21' });
    const newIn2014 = now.filter((p) => p.source.documentId === 'home-affairs-contribution' && p.revision === 1);
    const relations = Object.fromEntries(newIn2014.map((p) => [p.id, p.relatesTo.map((r) => `${r.kind} ${r.positionId}`)]));
    expect(relations).toEqual({
      'eu-anti-discrimination-local-measures': [],
      'eu-benefits-of-migration': [],
      'eu-dignity-and-social-cohesion': [],
      'eu-free-movement': [],
      'eu-integrated-approach': ['extends eu-3'],
      'eu-local-monitoring': ['extends eu-6'],
      'eu-recognition-of-local-authorities': ['responds-to eu-4'],
      'eu-undocumented-migrants': ['readdresses national-8'],
    });
    expect(projection.position('eu-4')!.relatesTo).toEqual([
      { positionId: 'national-5', kind: 'readdresses', revision: 2, decidedOn: '2011-07-20/2014-01-21' },
    ]);
    for (const id of ['national-5', 'national-8', 'eu-3', 'eu-6']) expect(projection.position(id)).toEqual(projection.position(id, { asOf: '2013' }));
  });

  it('claims no formal adoption of the informal 2014 contribution', () => {
    const in2014 = projection.positions({}).filter((p) => p.latestEndorsement?.decidedOn === '2011-07-20/2014-01-21');
    expect(in2014.map((p) => p.id).sort()).toEqual([
      'eu-4',
      'eu-anti-discrimination-local-measures',
      'eu-benefits-of-migration',
      'eu-dignity-and-social-cohesion',
      'eu-free-movement',
      'eu-integrated-approach',
      'eu-local-monitoring',
      'eu-recognition-of-local-authorities',
      'eu-undocumented-migrants',
    ]);
    for (const p of in2014) expect(p.latestEndorsement!.reference).toContain('informal contribution; no formal adoption recorded');
  });

  it("answers the README's researcher question in one request: what was asked of the EU about undocumented migrants, before 2007 and in 2014", () => {
    const page = projection.timelinePage({ addressee: 'eu-institutions', theme: 'undocumented-vulnerable' });
    expect(page.total).toBe(6);
    // in business order; decisions of the same date in recording order, which the README does not fix
    expect(page.items.map((e) => `${e.decidedOn} ${e.positionId} ${e.type}`).sort()).toEqual([
      '1999-10/2007-02 eu-7 PositionAdded',
      '1999-10/2007-02 eu-7 PositionEndorsed',
      '2011-07-20/2014-01-21 eu-dignity-and-social-cohesion PositionAdded',
      '2011-07-20/2014-01-21 eu-dignity-and-social-cohesion PositionEndorsed',
      '2011-07-20/2014-01-21 eu-undocumented-migrants PositionAdded',
      '2011-07-20/2014-01-21 eu-undocumented-migrants PositionEndorsed',
    ]);
    expect(page.items.slice(0, 2).every((e) => e.positionId === 'eu-7')).toBe(true);
    expect(page.items.find((e) => e.positionId === 'eu-undocumented-migrants' && e.type === 'PositionAdded')!.data.relatesTo).toEqual([
      { positionId: 'national-8', kind: 'readdresses' },
    ]);
  });

  it("answers the README's bitemporal example for eu-4", () => {
    expect(projection.position('eu-4', { asOf: '2006' })).toBeUndefined();
    expect(projection.position('eu-4', { asOf: '2013' })!.statement).toMatch(/^We consider it therefore of utmost importance/);
    expect(projection.position('eu-4', { asOf: '2014-01-15' })!.statement).toMatch(/^We consider it therefore of utmost importance/);
    expect(projection.position('eu-4', { asOf: '2014-01' })!.statement).toMatch(/^In order to have a coherent approach/);
  });
});
