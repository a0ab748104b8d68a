import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLedger } from '../../bench/read-model/generate-ledger';
import { exportLines, verifyExport } from '../../src/audit/export-file';
import { exportLedger } from '../../src/audit/export-ledger';
import { verifyExportFile } from '../../src/audit/verify-export-file';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { AUDITOR, recordHistory, type History } from './history';

/**
 * `ledger verify --file` reads the export a line at a time (an export of a million events is
 * longer than any string) and proves what the same export proves read whole, problem for problem.
 */
describe('an export verified from its file, a line at a time', () => {
  jest.setTimeout(60_000);
  let dir: string;
  let history: History;
  let lines: string[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-verify-file-'));
    history = await recordHistory();
    lines = [...exportLines(history.events)];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const both = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return [verifyExportFile(path), verifyExport(text)] as const;
  };

  it('a clean export: the same report, the projections rebuilt from event one', () => {
    const [fromFile, whole] = both('clean.ndjson', lines.join(''));
    expect(fromFile).toEqual(whole);
    expect([fromFile.ok, fromFile.projection, fromFile.events]).toEqual([true, 'rebuilt from event one', history.events.length]);
  });

  it.each([
    ['a statement changed', (l: string[]) => l.map((x) => x.replace('Cities learn from each other.', 'Cities learn alone.'))],
    ['an event removed', (l: string[]) => l.filter((_, i) => i !== 3)],
    ['two events swapped', (l: string[]) => [...l.slice(0, 2), l[3]!, l[2]!, ...l.slice(4)]],
    ['an event copied', (l: string[]) => [...l.slice(0, 4), l[3]!, ...l.slice(4)]],
    ['a line that is not JSON', (l: string[]) => [...l.slice(0, 2), 'garbage\n', ...l.slice(2)]],
    ['the final line cut off, with no newline at the end', (l: string[]) => [...l.slice(0, -2), l.at(-2)!.slice(0, -1)]],
  ])('%s: the same problems, at the same lines', (name, tamper) => {
    const [fromFile, whole] = both(`${name}.ndjson`, tamper(lines).join(''));
    expect(fromFile.ok).toBe(false);
    expect(fromFile.problems).toEqual(whole.problems);
  });

  it('an export of megabytes, read across its buffer boundaries: every line whole, the same report', async () => {
    generateLedger(join(dir, 'ledger.db'), 3_000);
    const store = new SqliteEventStore(join(dir, 'ledger.db'), { access: 'existing' });
    let text = '';
    try {
      await exportLedger(store, AUDITOR, (chunk) => (text += chunk));
    } finally {
      await store.close();
    }
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 << 20);
    const [fromFile, whole] = both('large.ndjson', text);
    expect([fromFile.ok, fromFile.events]).toEqual([true, 3_001]);
    expect(fromFile).toEqual(whole);
  });
});
