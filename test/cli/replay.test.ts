import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportLines } from '../../src/audit/export-file';
import { readWholeLedger } from '../../src/audit/read-ledger';
import { recordCheckpoint } from '../../src/audit/record-checkpoint';
import { parseUntil, replay, replayJson } from '../../src/audit/replay';
import { cliDependencies } from '../../src/app/compose-cli';
import { runReplay } from '../../src/cli/commands/replay';
import { EXIT, UsageError } from '../../src/cli/exit-codes';
import type { StoredEvent } from '../../src/store/event-store';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { addBody, reviseBody } from '../support/builders';
import { documents, ledgerFixture } from '../support/ledger-fixture';

/**
 * `ledger replay` reads its ledger or its export a page or a line at a time and prints its JSON in
 * pieces (at a million events neither the export nor the JSON fits in one string): what it prints
 * must be, byte for byte, the JSON of the replay made whole.
 */
describe('ledger replay, fed and printed a piece at a time', () => {
  let dir: string;
  let ledgerPath: string;
  let exportPath: string;
  let events: StoredEvent[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-replay-'));
    ledgerPath = join(dir, 'ledger.db');
    const store = new SqliteEventStore(ledgerPath);
    const f = ledgerFixture(store);
    await f.at('2020-01-01T09:00:00.000Z', documents.recommendations);
    await f.at('2020-01-01T09:01:00.000Z', documents.contribution);
    // enough positions for a JSON of several pieces (each stance prints about a kilobyte)
    for (let i = 0; i < 150; i += 1) {
      const statement = `Position ${i}: ${'cities should be heard in every decision that concerns them. '.repeat(8)}`;
      await f.at(`2020-01-02T10:${String(i % 60).padStart(2, '0')}:00.000Z`, { type: 'AddPosition', data: addBody({ id: `p-${i}`, statement }) });
      if (i % 3 === 0) await f.at('2020-03-01T10:00:00.000Z', { type: 'RevisePosition', positionId: `p-${i}`, data: reviseBody() });
    }
    await recordCheckpoint(store, { actor: { id: 'auditor/test' }, now: () => new Date('2020-04-01T00:00:00.000Z') });
    events = await readWholeLedger(store);
    await store.close();
    exportPath = join(dir, 'export.ndjson');
    writeFileSync(exportPath, [...exportLines(events)].join(''));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (until: string, file?: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const cli = cliDependencies({ out: (t) => void out.push(t), err: (t) => void err.push(t), env: { LEDGER_SQLITE_PATH: ledgerPath } });
    const code = await runReplay({ until, ...(file !== undefined ? { file } : {}) }, cli);
    return { code, out, err };
  };

  it('prints from the store and from an export the bytes of the whole replay, in pieces of about 64 KB', async () => {
    for (const until of ['2030', '2010', '2020-01-02T10:30:00Z', `position:${events[60]!.position}`]) {
      const whole = `${JSON.stringify(replay(events, parseUntil(until)!), null, 2)}\n`;
      for (const file of [undefined, exportPath]) {
        const { code, out } = await run(until, file);
        expect([until, file, code]).toEqual([until, file, EXIT.ok]);
        expect(out.join('')).toBe(whole);
        if (until === '2030') expect(whole.length).toBeGreaterThan(1 << 17);
        if (whole.length > 1 << 17) expect(out.length).toBeGreaterThan(1);
        for (const piece of out) expect(piece.length).toBeLessThan(1 << 17);
      }
    }
  });

  it('the JSON of a replay with nothing in it, null and empty lists, is what JSON.stringify writes', () => {
    const empty = replay(events, parseUntil('2000-01-01T00:00:00Z')!);
    expect([empty.lastEvent, empty.positions, empty.documents]).toEqual([null, [], []]);
    expect([...replayJson(empty)].join('')).toBe(JSON.stringify(empty, null, 2));
  });

  it('a position no event is at is a usage error, from the store and from an export', async () => {
    for (const file of [undefined, exportPath]) await expect(run('position:999999', file)).rejects.toThrow(UsageError);
  });

  it('an export that is not there is a usage error naming it', async () => {
    await expect(run('2030', join(dir, 'missing.ndjson'))).rejects.toThrow(/cannot read .*missing\.ndjson: ENOENT/);
  });
});
