import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLedger } from '../../bench/read-model/generate-ledger';
import { exportLines, verifyExport } from '../../src/audit/export-file';
import { exportLedger, writeExportToLatestCheckpoint } from '../../src/audit/export-ledger';
import { readWholeLedger } from '../../src/audit/read-ledger';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { addBody } from '../support/builders';
import { documents, ledgerFixture } from '../support/ledger-fixture';
import { AUDITOR, recordHistory } from './history';

/**
 * An export is written a page of events at a time, never made whole in memory: at a million
 * events it is about 800 MB, longer than the longest string V8 can make.
 */
describe('exports written page by page', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-export-pages-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the export a read makes ends at the latest checkpoint, counts what came after, and verifies offline', async () => {
    const history = await recordHistory();
    await ledgerFixture(history.store).at('2020-04-01T09:00:00.000Z', { type: 'AddPosition', data: addBody({ id: 'eu-9', title: 'Later' }) });
    const path = join(dir, 'to-latest.ndjson');
    const made = await writeExportToLatestCheckpoint(history.store, path);
    const text = readFileSync(path, 'utf8');
    expect(text).toBe([...exportLines(history.events)].join(''));
    expect(made).toEqual({ path, bytes: statSync(path).size, events: history.events.length, later: 1 });
    expect(verifyExport(text).ok).toBe(true);
  });

  it('a ledger with no checkpoint yet has no such export, and no file is left', async () => {
    const store = new SqliteEventStore(':memory:');
    await ledgerFixture(store).at('2020-04-01T09:00:00.000Z', documents.recommendations);
    const path = join(dir, 'none.ndjson');
    expect(await writeExportToLatestCheckpoint(store, path)).toBeUndefined();
    expect(existsSync(path)).toBe(false);
  });

  it('`ledger export` writes a page at a time: the same lines, in chunks, the checkpoint it recorded last', async () => {
    generateLedger(join(dir, 'ledger.db'), 2_500);
    const store = new SqliteEventStore(join(dir, 'ledger.db'), { access: 'existing' });
    try {
      const chunks: string[] = [];
      const made = await exportLedger(store, AUDITOR, (chunk) => chunks.push(chunk));
      const events = await readWholeLedger(store);
      expect([made.events, made.recorded?.eventId]).toEqual([2_501, events.at(-1)!.id]);
      // three pages of events, then the final line
      expect(chunks).toHaveLength(4);
      expect(chunks.join('')).toBe([...exportLines(events)].join(''));
    } finally {
      await store.close();
    }
  });
});
