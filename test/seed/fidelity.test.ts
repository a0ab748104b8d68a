import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSeedDir, importSeedDir } from '../../src/seed/import';
import type { SeedEntry } from '../../src/seed/seed-file';
import { Ledger } from '../../src/command-handling/ledger';
import { LedgerProjection } from '../../src/projections/ledger-projection';
import { SqliteEventStore } from '../../src/store/sqlite-store';

/**
 * The seed history is reviewed data: this test holds it to the source documents in
 * sources/. Statements may join verbatim passages with " […] " (the usual mark of an
 * omission); every passage must occur in the cited document as printed there, apart from
 * whitespace and the Markdown emphasis marks of the text files.
 */
const ROOT = join(__dirname, '../..');
const SOURCES = join(ROOT, 'sources');
const entries: SeedEntry[] = readSeedDir(join(ROOT, 'events')).flatMap((f) => f.entries);

const normalise = (text: string) => text.replace(/\*+/g, '').replace(/\s+/g, ' ').trim();
const passages = (text: string) => text.split(' […] ').map(normalise);

const documents = new Map(
  entries.flatMap((e) => (e.command === 'RegisterDocument' ? [[e.body.id, e.body] as const] : [])),
);
const sourceText = (documentId: string) => {
  const doc = documents.get(documentId);
  if (!doc?.file) throw new Error(`document ${documentId} is not registered in the seed with its file`);
  return normalise(readFileSync(join(SOURCES, doc.file), 'utf8'));
};

interface Cited {
  entry: string;
  documentId: string;
  statement?: string;
  quote?: string;
}
const cited: Cited[] = entries.flatMap((e): Cited[] => {
  if (e.command === 'AddPosition') return [{ entry: e.entry, documentId: e.body.source.documentId, statement: e.body.statement, quote: e.body.source.quote }];
  if (e.command === 'RevisePosition') return [{ entry: e.entry, documentId: e.body.source.documentId, statement: e.body.statement, quote: e.body.source.quote }];
  return [];
});

describe('the seed history is faithful to the source documents', () => {
  it('registers both source documents, each naming its file and that file\'s exact SHA-256', () => {
    expect([...documents.keys()].sort()).toEqual(['home-affairs-contribution', 'political-recommendations']);
    for (const doc of documents.values()) {
      const bytes = readFileSync(join(SOURCES, doc.file!));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(doc.contentSha256);
    }
  });

  it.each(cited.map((c) => [c.entry, c] as const))('%s: statement and quote are verbatim from the cited document', (_name, c) => {
    const text = sourceText(c.documentId);
    for (const part of [...(c.statement ? passages(c.statement) : []), ...(c.quote ? passages(c.quote) : [])]) {
      expect(part.length).toBeGreaterThan(20);
      expect(text).toContain(part);
    }
  });

  it('records every numbered commitment and recommendation of the earlier document, word for word, once', () => {
    const raw = readFileSync(join(SOURCES, documents.get('political-recommendations')!.file!), 'utf8');
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
    const byAddressee = (a: string) => added.filter((p) => p.addressees.includes(a as never)).map((p) => normalise(p.statement));
    expect(byAddressee('cities')).toEqual(commitments);
    expect(byAddressee('national-governments')).toEqual(national);
    expect(byAddressee('eu-institutions')).toEqual(eu);
  });

  it('dates every entry with the precision its source allows, never an invented day', () => {
    for (const e of entries) {
      if (e.command === 'RegisterDocument') continue;
      const expected = e.entry.startsWith('baseline/') ? '2006' : '2011-07-20/2014-01-21';
      expect({ entry: e.entry, decidedOn: (e.body as { decidedOn: string }).decidedOn }).toEqual({ entry: e.entry, decidedOn: expected });
    }
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

  it('has the 23 baseline positions endorsed in 2006, as they stood before the 2014 contribution', () => {
    const in2013 = projection.positions({ asOf: '2013' });
    expect(in2013).toHaveLength(23);
    expect(in2013.every((p) => p.status === 'endorsed' && p.source.documentId === 'political-recommendations')).toBe(true);
  });

  it('revises the positions the 2014 contribution restates, each with a rationale, and adds its new ones, all endorsed', () => {
    const now = projection.positions({});
    expect(now.every((p) => p.status === 'endorsed')).toBe(true);
    const revisedIn2014 = now.filter((p) => p.revision === 2).map((p) => p.id).sort();
    expect(revisedIn2014).toEqual(['eu-3', 'eu-4', 'eu-6', 'national-5', 'national-8']);
    const newIn2014 = now.filter((p) => p.revision === 1 && p.source.documentId === 'home-affairs-contribution').map((p) => p.id).sort();
    expect(newIn2014).toEqual(['eu-anti-discrimination-local-measures', 'eu-benefits-of-migration', 'eu-dignity-and-social-cohesion', 'eu-free-movement']);
    for (const id of revisedIn2014) {
      const timeline = projection.positionTimeline(id)!;
      expect(timeline.find((t) => t.type === 'PositionRevised')).toMatchObject({ decidedOn: '2011-07-20/2014-01-21' });
    }
  });

  it('answers the README\'s bitemporal example for eu-4', () => {
    expect(projection.position('eu-4', { asOf: '2013' })!.statement).toMatch(/^We consider it therefore of utmost importance/);
    expect(projection.position('eu-4', { asOf: '2014-01-15' })!.statement).toMatch(/^We consider it therefore of utmost importance/);
    expect(projection.position('eu-4', { asOf: '2014-01' })!.statement).toMatch(/^In order to have a coherent approach/);
  });
});
