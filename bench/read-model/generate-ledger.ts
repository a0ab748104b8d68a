import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { EVENT_SCHEMA_VERSION, type DomainEvent } from '../../src/domain/events';
import { THEME_IDS } from '../../src/domain/themes';
import { linkEvents } from '../../src/integrity/hash-chain';
import { SqliteEventStore } from '../../src/store/sqlite-store';

/**
 * A generated ledger of `events` events in the project's own event shapes, hash chains and
 * metadata, written by direct batched inserts (the command handler would take an hour for a
 * million). Each position is added (2006), endorsed, revised twice (2008, 2011-07-20/2014-01-21)
 * and endorsed again: five events. Positions are recorded in blocks of 1,000, each kind of
 * decision for the whole block in turn, so streams interleave in the global order as they do when
 * a secretariat records history. Deterministic (words from a seeded generator); event ids random.
 */
export const EVENTS_PER_POSITION = 5;
export const DOCUMENTS = 100;

export function generatedPath(cacheDir: string, events: number): string {
  return `${cacheDir}/ledger-${events}.db`;
}

export function generateLedger(path: string, events: number, onProgress?: (written: number) => void): void {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true });
  void new SqliteEventStore(partial).close(); // the store's own schema and triggers
  const db = new Database(partial);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insert = db.prepare('INSERT INTO events (event_id, stream_id, stream_revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const random = seeded(11);
  let clock = Date.parse('2024-01-01T00:00:00.000Z');
  const heads = new Map<string, { revision: number; hash: string | null }>();
  let written = 0;
  const put = (streamId: string, event: DomainEvent) => {
    const head = heads.get(streamId) ?? { revision: -1, hash: null };
    const recordedAt = new Date((clock += 1000)).toISOString();
    const id = randomUUID();
    const schemaVersion = EVENT_SCHEMA_VERSION[event.type];
    const [link] = linkEvents(streamId, head, [{ id, type: event.type, schemaVersion, data: event.data, recordedAt, recordedBy: 'secretariat/bench' }]);
    insert.run(
      id,
      streamId,
      link!.streamRevision,
      event.type,
      JSON.stringify(event.data),
      JSON.stringify({ schemaVersion, recordedAt, recordedBy: 'secretariat/bench', prevHash: link!.prevHash, hash: link!.hash }),
    );
    heads.set(streamId, { revision: link!.streamRevision, hash: link!.hash });
    written += 1;
  };
  const batch = db.transaction((fn: () => void) => fn());
  batch(() => {
    for (let d = 0; d < DOCUMENTS; d += 1) {
      put(`document-doc-${d}`, {
        type: 'SourceDocumentRegistered',
        data: { documentId: `doc-${d}`, title: `Bench document ${d}`, publisher: 'EUROCITIES', issuedOn: '2006', language: 'en' },
      } as DomainEvent);
    }
  });
  const positions = Math.max(1, Math.floor((events - DOCUMENTS) / EVENTS_PER_POSITION));
  const BLOCK = 1000;
  for (let start = 0; start < positions; start += BLOCK) {
    const ids = Array.from({ length: Math.min(BLOCK, positions - start) }, (_, i) => start + i);
    batch(() => {
      const sourceOf = (i: number, locator: string) => ({ documentId: `doc-${i % DOCUMENTS}`, locator, quote: sentence(random, 6) });
      for (const i of ids) {
        const themes = [THEME_IDS[i % THEME_IDS.length]!, THEME_IDS[(i * 7 + 3) % THEME_IDS.length]!].filter((t, k, all) => all.indexOf(t) === k);
        const addressees = [(['cities', 'national-governments', 'eu-institutions'] as const)[i % 3]];
        put(`position-p-${i}`, {
          type: 'PositionAdded',
          data: {
            positionId: `p-${i}`,
            title: `Position ${i}: ${sentence(random, 4)}`,
            statement: sentence(random, 40),
            themes,
            addressees,
            decidedOn: '2006',
            source: sourceOf(i, `item ${i}`),
          },
        } as DomainEvent);
      }
      for (const i of ids)
        put(`position-p-${i}`, {
          type: 'PositionEndorsed',
          data: { positionId: `p-${i}`, revision: 1, endorsedBy: 'EUROCITIES working group on migrant integration', decidedOn: '2006' },
        } as DomainEvent);
      for (const i of ids)
        put(`position-p-${i}`, {
          type: 'PositionRevised',
          data: {
            positionId: `p-${i}`,
            revision: 2,
            statement: sentence(random, 40),
            decidedOn: '2008',
            source: sourceOf(i, `revision 2`),
            rationale: 'bench',
          },
        } as DomainEvent);
      for (const i of ids)
        put(`position-p-${i}`, {
          type: 'PositionRevised',
          data: {
            positionId: `p-${i}`,
            revision: 3,
            statement: sentence(random, 40),
            decidedOn: '2011-07-20/2014-01-21',
            source: sourceOf(i, `revision 3`),
            rationale: 'bench',
          },
        } as DomainEvent);
      for (const i of ids)
        put(`position-p-${i}`, {
          type: 'PositionEndorsed',
          data: { positionId: `p-${i}`, revision: 3, endorsedBy: 'EUROCITIES working group on migrant integration', decidedOn: '2014-02' },
        } as DomainEvent);
    });
    onProgress?.(written);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  renameSync(partial, path);
  for (const suffix of ['-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true });
}

/** A vocabulary of 5,000 made-up words with a few real ones, so that searches hit a realistic share of texts. */
const VOCABULARY = (() => {
  const r = seeded(7);
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'te', 'vi', 'zo', 'pra', 'del', 'mon', 'gri', 'tus', 'ber'];
  const words = ['cities', 'migrants', 'integration', 'undocumented', 'reception', 'funding', 'housing', 'employment', 'education', 'discrimination'];
  while (words.length < 5000) words.push(Array.from({ length: 2 + Math.floor(r() * 3) }, () => syllables[Math.floor(r() * syllables.length)]).join(''));
  return words;
})();

function sentence(random: () => number, words: number): string {
  // Zipf-like: a few words are common, most are rare
  return Array.from({ length: words }, () => VOCABULARY[Math.floor(VOCABULARY.length * random() ** 3)]).join(' ') + '.';
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
