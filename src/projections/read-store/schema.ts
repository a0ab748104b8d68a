/**
 * The read store's tables. Bump PROJECTION_VERSION whenever a table or what a projection writes
 * into it changes: a read store of another version is rebuilt from event one at start.
 * 2: the ledger version counts decisions only (checkpoints are left out of the count and the digest).
 * 3: indexes for recorded-time and search seeks, and maintained counts (current positions, citations).
 * 4: covering indexes for walking positions as recorded by an instant and for the search and recording-time seeks; the search's words (terms).
 * 5: events and texts are found by ids and hashes through indexes built after a bulk load (a fresh generation's random-key inserts no longer outgrow the page cache).
 * 6: each decision by the version it made (its recording instant and the digest), the versions no instant tells apart, and the citations over recording time: a cited version is answered from the tables.
 * 7: the stances open in business time by recording instant from an index of their own; partial indexes cover the columns of their condition.
 * 8: a search index of the current stances' texts (current_search).
 * 9: the current stances by id (stances_current_by_id), for the rows a search of the current view names.
 */
export const PROJECTION_VERSION = '9';

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

-- every event applied, in global order (audit and unreadable ones with no json): the idempotent
-- "applied?" check, the streams to refold, and idempotency keys
CREATE TABLE IF NOT EXISTS events (
  seq             INTEGER PRIMARY KEY,
  event_id        TEXT NOT NULL,
  stream_id       TEXT NOT NULL,
  stream_revision INTEGER NOT NULL,
  position        TEXT NOT NULL,
  recorded_by     TEXT,
  idempotency_key TEXT,
  json            TEXT
);
CREATE INDEX IF NOT EXISTS events_by_stream ON events (stream_id, stream_revision);
CREATE INDEX IF NOT EXISTS events_by_key ON events (idempotency_key, recorded_by) WHERE idempotency_key IS NOT NULL;

-- each decision by the version it made: the instant it was recorded at (epoch ms), the latest instant
-- of every decision up to it, and the ledger's digest then. A cited version whose latest instant
-- no later decision shares or precedes is the view as recorded by that instant (see tables.ts)
CREATE TABLE IF NOT EXISTS decisions (version INTEGER PRIMARY KEY, seq INTEGER NOT NULL, recorded_ms INTEGER NOT NULL, latest_ms INTEGER NOT NULL, digest TEXT NOT NULL);
-- the versions that no recording instant tells apart from a later one (a later decision recorded at,
-- or before, their latest instant), as disjoint ranges: these are folded from their decisions
CREATE TABLE IF NOT EXISTS unclear_versions (from_version INTEGER PRIMARY KEY, to_version INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS unreadable (event_id TEXT PRIMARY KEY, stream_id TEXT NOT NULL, position TEXT NOT NULL, problem TEXT NOT NULL);

-- each distinct (title, statement, quote) once; the search index is built over it. It records which
-- texts hold a word, not where (detail = none): every query word is a word or a prefix alone, never a
-- phrase or a column filter (see ftsQuery), and building it costs about half. Either detail answers
-- alike, so a generation built with the full detail is still current
CREATE TABLE IF NOT EXISTS texts (id INTEGER PRIMARY KEY, hash TEXT NOT NULL, title TEXT NOT NULL, statement TEXT NOT NULL, quote TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS texts_search USING fts5 (title, statement, quote, content = 'texts', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2', detail = none);
-- the texts of the current stances, by stance id: a search of the current view reads the stances
-- that match from here, not from every row each matching text ever had (a rare word's cost would
-- grow with the ledger's history). Kept by triggers (see QUERY_INDEXES); contentless, its rows
-- deleted by id when a stance stops being current
CREATE VIRTUAL TABLE IF NOT EXISTS current_search USING fts5 (title, statement, quote, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2', detail = none);
-- every word the search index holds: a query word is expanded to the words it begins (see tables.ts)
CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS texts_vocabulary USING fts5vocab (texts_search, row);

-- a position's stance over both times: [rec_from, rec_to) recording time (epoch ms),
-- [biz_from, biz_to) business time (latest possible days); null = open
CREATE TABLE IF NOT EXISTS stances (
  id          INTEGER PRIMARY KEY,
  position_id TEXT NOT NULL,
  rec_from    INTEGER NOT NULL,
  rec_to      INTEGER,
  biz_from    TEXT NOT NULL,
  biz_to      TEXT,
  status      TEXT NOT NULL,
  themes      INTEGER NOT NULL,
  addressees  INTEGER NOT NULL,
  text_id     INTEGER NOT NULL,
  json        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stances_by_position ON stances (position_id, rec_from, biz_from);

-- each relation a stance row holds, found from the related position
CREATE TABLE IF NOT EXISTS relations (stance_id INTEGER NOT NULL, to_position_id TEXT NOT NULL, json TEXT NOT NULL, ord INTEGER NOT NULL, PRIMARY KEY (to_position_id, stance_id, ord)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS relations_by_stance ON relations (stance_id);

-- what depends on recording time only: the stream revision (ETag) and recording instants
CREATE TABLE IF NOT EXISTS known (
  position_id       TEXT NOT NULL,
  rec_from          INTEGER NOT NULL,
  rec_to            INTEGER,
  stream_revision   INTEGER NOT NULL,
  first_recorded_at TEXT NOT NULL,
  last_recorded_at  TEXT NOT NULL,
  corrections       INTEGER NOT NULL,
  PRIMARY KEY (position_id, rec_from)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS timeline (
  id              INTEGER PRIMARY KEY,
  position_id     TEXT NOT NULL,
  rec_from        INTEGER NOT NULL,
  rec_to          INTEGER,
  biz_key         TEXT NOT NULL,
  recorded_at     TEXT NOT NULL,
  stream_revision INTEGER NOT NULL,
  themes          INTEGER NOT NULL,
  addressees      INTEGER NOT NULL,
  text_id         INTEGER,
  json            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS timeline_by_position ON timeline (position_id, biz_key, stream_revision);

CREATE TABLE IF NOT EXISTS documents (document_id TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS citations (document_id TEXT NOT NULL, position_id TEXT NOT NULL, PRIMARY KEY (document_id, position_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS citations_by_position ON citations (position_id);
-- the citations over recording time [rec_from, rec_to) (epoch ms; null = still): a cited version's
-- documents are counted and listed from these rows as recorded by its instant
CREATE TABLE IF NOT EXISTS citations_over_time (position_id TEXT NOT NULL, document_id TEXT NOT NULL, rec_from INTEGER NOT NULL, rec_to INTEGER, PRIMARY KEY (position_id, document_id, rec_from)) WITHOUT ROWID;

-- counts kept up to date by triggers (see QUERY_INDEXES), so a list's total and a document's
-- citations are counted without reading every row: current positions by what a filter asks
CREATE TABLE IF NOT EXISTS current_counts (status TEXT NOT NULL, themes INTEGER NOT NULL, addressees INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (status, themes, addressees)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS citation_counts (document_id TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
`;

/**
 * The indexes only queries use. A fresh generation is loaded without them and gets them (and its
 * search index) in one pass at the end, which is several times faster than keeping them up to
 * date row by row.
 *
 * A list is read one of two ways (see tables.ts): walking an index in the list's order and
 * filtering (when matches are dense), or seeking the few rows a selective condition names (a rare
 * search word, an early recording instant, an early business date) and sorting only those.
 *
 * A partial index also holds the columns its condition names (always null there): SQLite reads an
 * index as covering only when it holds every column a query names, those of the condition too, and
 * otherwise reads the table row of each entry it passes.
 */
/**
 * The indexes that find an event by its id and a text by its hash: random keys, whose inserts
 * outgrow the page cache of a large generation being loaded (each one a page read and written).
 * A fresh generation is loaded without them (its events come once each, in order, and its texts
 * are deduplicated in memory, so a text may be stored twice there) and gets them at the end.
 */
export const LOOKUP_INDEXES = `
CREATE UNIQUE INDEX IF NOT EXISTS events_by_id ON events (event_id);
CREATE INDEX IF NOT EXISTS texts_by_hash ON texts (hash);
`;

export const QUERY_INDEXES = `
CREATE INDEX IF NOT EXISTS stances_current ON stances (position_id, status, themes, addressees, text_id, rec_to, biz_to) WHERE rec_to IS NULL AND biz_to IS NULL;
-- the current stances by id: the rows current_search names are looked up here (a few bytes each, in
-- the page cache), not in the table, whose rows (and their JSON) are read one page per row
CREATE INDEX IF NOT EXISTS stances_current_by_id ON stances (id, position_id, status, themes, addressees, text_id, rec_to, biz_to) WHERE rec_to IS NULL AND biz_to IS NULL;
CREATE INDEX IF NOT EXISTS stances_as_known ON stances (position_id, biz_from, biz_to, status, themes, addressees, text_id, rec_to) WHERE rec_to IS NULL;
CREATE INDEX IF NOT EXISTS stances_over_time ON stances (position_id, rec_from, rec_to, biz_from, biz_to, status, themes, addressees, text_id);
CREATE INDEX IF NOT EXISTS stances_recorded ON stances (rec_from, rec_to, biz_from, biz_to, position_id, status, themes, addressees, text_id);
CREATE INDEX IF NOT EXISTS stances_known_from ON stances (biz_from, biz_to, position_id, status, themes, addressees, text_id, rec_to) WHERE rec_to IS NULL;
CREATE INDEX IF NOT EXISTS stances_by_text ON stances (text_id, rec_from, rec_to, biz_from, biz_to, position_id, status, themes, addressees);
CREATE INDEX IF NOT EXISTS stances_recorded_open ON stances (rec_from, rec_to, position_id, status, themes, addressees, text_id, biz_to) WHERE biz_to IS NULL;
CREATE INDEX IF NOT EXISTS timeline_current ON timeline (biz_key, recorded_at, stream_revision, position_id, themes, addressees, text_id, rec_to) WHERE rec_to IS NULL;
CREATE INDEX IF NOT EXISTS timeline_order ON timeline (biz_key, recorded_at, stream_revision, position_id, rec_from, rec_to, themes, addressees, text_id);
CREATE INDEX IF NOT EXISTS timeline_recorded ON timeline (rec_from, rec_to, biz_key, recorded_at, stream_revision, position_id, themes, addressees, text_id);
CREATE INDEX IF NOT EXISTS citations_over_time_by_document ON citations_over_time (document_id, position_id, rec_from, rec_to);
CREATE INDEX IF NOT EXISTS citations_over_time_recorded ON citations_over_time (document_id, rec_from, rec_to, position_id);
CREATE INDEX IF NOT EXISTS citations_over_time_closed ON citations_over_time (document_id, rec_to, rec_from) WHERE rec_to IS NOT NULL;
CREATE INDEX IF NOT EXISTS timeline_by_text ON timeline (text_id, rec_from, rec_to, biz_key, recorded_at, stream_revision, position_id, themes, addressees);

CREATE TRIGGER IF NOT EXISTS current_counted AFTER INSERT ON stances WHEN NEW.rec_to IS NULL AND NEW.biz_to IS NULL BEGIN
  INSERT OR IGNORE INTO current_counts VALUES (NEW.status, NEW.themes, NEW.addressees, 0);
  UPDATE current_counts SET n = n + 1 WHERE status = NEW.status AND themes = NEW.themes AND addressees = NEW.addressees;
END;
CREATE TRIGGER IF NOT EXISTS current_uncounted AFTER DELETE ON stances WHEN OLD.rec_to IS NULL AND OLD.biz_to IS NULL BEGIN
  UPDATE current_counts SET n = n - 1 WHERE status = OLD.status AND themes = OLD.themes AND addressees = OLD.addressees;
END;
CREATE TRIGGER IF NOT EXISTS current_recounted AFTER UPDATE OF rec_to, biz_to, status, themes, addressees ON stances BEGIN
  UPDATE current_counts SET n = n - 1 WHERE OLD.rec_to IS NULL AND OLD.biz_to IS NULL AND status = OLD.status AND themes = OLD.themes AND addressees = OLD.addressees;
  INSERT OR IGNORE INTO current_counts SELECT NEW.status, NEW.themes, NEW.addressees, 0 WHERE NEW.rec_to IS NULL AND NEW.biz_to IS NULL;
  UPDATE current_counts SET n = n + 1 WHERE NEW.rec_to IS NULL AND NEW.biz_to IS NULL AND status = NEW.status AND themes = NEW.themes AND addressees = NEW.addressees;
END;
CREATE TRIGGER IF NOT EXISTS current_searched AFTER INSERT ON stances WHEN NEW.rec_to IS NULL AND NEW.biz_to IS NULL BEGIN
  INSERT INTO current_search (rowid, title, statement, quote) SELECT NEW.id, title, statement, quote FROM texts WHERE id = NEW.text_id;
END;
CREATE TRIGGER IF NOT EXISTS current_unsearched AFTER DELETE ON stances WHEN OLD.rec_to IS NULL AND OLD.biz_to IS NULL BEGIN
  DELETE FROM current_search WHERE rowid = OLD.id;
END;
CREATE TRIGGER IF NOT EXISTS current_researched AFTER UPDATE OF rec_to, biz_to, text_id ON stances
WHEN (OLD.rec_to IS NULL AND OLD.biz_to IS NULL) OR (NEW.rec_to IS NULL AND NEW.biz_to IS NULL) BEGIN
  DELETE FROM current_search WHERE rowid = OLD.id AND OLD.rec_to IS NULL AND OLD.biz_to IS NULL;
  INSERT INTO current_search (rowid, title, statement, quote) SELECT NEW.id, title, statement, quote FROM texts WHERE id = NEW.text_id AND NEW.rec_to IS NULL AND NEW.biz_to IS NULL;
END;
CREATE TRIGGER IF NOT EXISTS citation_counted AFTER INSERT ON citations BEGIN
  INSERT OR IGNORE INTO citation_counts VALUES (NEW.document_id, 0);
  UPDATE citation_counts SET n = n + 1 WHERE document_id = NEW.document_id;
END;
CREATE TRIGGER IF NOT EXISTS citation_uncounted AFTER DELETE ON citations BEGIN
  UPDATE citation_counts SET n = n - 1 WHERE document_id = OLD.document_id;
END;
`;

/** The words of a generation whose search index was built in one pass. */
export const BULK_TERMS = `INSERT OR IGNORE INTO terms SELECT term FROM texts_vocabulary;`;

/** The counts of a generation loaded without the triggers, in one pass each (after QUERY_INDEXES: read from stances_current, not from every row; the triggers watch stances and citations, not these). */
export const BULK_COUNTS = `
DELETE FROM current_counts;
INSERT INTO current_counts SELECT status, themes, addressees, count(*) FROM stances WHERE rec_to IS NULL AND biz_to IS NULL GROUP BY status, themes, addressees;
DELETE FROM citation_counts;
INSERT INTO citation_counts SELECT document_id, count(*) FROM citations GROUP BY document_id;
DELETE FROM current_search;
INSERT INTO current_search (rowid, title, statement, quote)
  SELECT v.id, t.title, t.statement, t.quote FROM stances v INDEXED BY stances_current JOIN texts t ON t.id = v.text_id WHERE v.rec_to IS NULL AND v.biz_to IS NULL ORDER BY v.id;
`;

/** The tables `verify` compares row by row between the live read store and one rebuilt from event one. */
export const COMPARED_TABLES: ReadonlyArray<{ table: string; columns: string; order: string; where?: string }> = [
  {
    table: 'stances',
    columns: 'position_id, rec_from, rec_to, biz_from, biz_to, status, themes, addressees, (SELECT hash FROM texts WHERE id = text_id), json',
    order: 'position_id, rec_from, biz_from',
  },
  { table: 'known', columns: '*', order: 'position_id, rec_from' },
  {
    table: 'relations',
    columns: "to_position_id, (SELECT position_id || ' ' || rec_from || ' ' || biz_from FROM stances WHERE id = stance_id) AS holder, json, ord",
    order: 'to_position_id, holder, ord',
  },
  {
    table: 'timeline',
    columns: 'position_id, rec_from, rec_to, biz_key, recorded_at, stream_revision, themes, addressees, (SELECT hash FROM texts WHERE id = text_id), json',
    order: 'position_id, rec_from, biz_key, stream_revision, json',
  },
  { table: 'documents', columns: '*', order: 'document_id' },
  { table: 'citations', columns: '*', order: 'document_id, position_id' },
  { table: 'citations_over_time', columns: '*', order: 'position_id, document_id, rec_from' },
  { table: 'decisions', columns: '*', order: 'version' },
  { table: 'unclear_versions', columns: '*', order: 'from_version' },
  { table: 'unreadable', columns: '*', order: 'event_id' },
  // counts of zero are left where a live store counted down: the same answers either way
  { table: 'current_counts', columns: '*', order: 'status, themes, addressees', where: 'n != 0' },
  { table: 'citation_counts', columns: '*', order: 'document_id', where: 'n != 0' },
  // the words the live store split itself must be the search index's own words
  { table: 'terms', columns: '*', order: 'term' },
];
