import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { composeLedger } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { Ledger } from '../../src/command-handling/ledger';
import { importSeedDir, readSeedDir } from '../../src/seed/import';
import { SqliteEventStore } from '../../src/store/sqlite-store';

const SEEDS = join(__dirname, '../../events');
const seedEntries = readSeedDir(SEEDS).reduce((n, f) => n + f.entries.length, 0);

/** A first start interrupted while seeding (kill -9, Ctrl-C) must not leave a partial seed for good. */
describe('seeding at start-up', () => {
  const config = (env: NodeJS.ProcessEnv = {}) => loadConfig({ LEDGER_SEED_DIR: SEEDS, LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0', ...env });

  it('completes a seeding that was interrupted after 8 entries, and records nothing twice', async () => {
    const store = new SqliteEventStore(':memory:');
    // import is one transaction now, so only a ledger seeded entry by entry (an earlier version) can hold part of the seed: the first 8 entries
    const partial = mkdtempSync(join(tmpdir(), 'ledger-partial-seed-'));
    writeFileSync(
      join(partial, '000.json'),
      JSON.stringify(
        readSeedDir(SEEDS)
          .flatMap((f) => f.entries)
          .slice(0, 8),
      ),
    );
    await importSeedDir(new Ledger(store, { historyStart: '2006-01-01' }), partial);
    rmSync(partial, { recursive: true, force: true });
    expect(await store.readAll()).toHaveLength(8);

    const ledger = await composeLedger(config(), { store });
    expect(ledger.seeded).toMatchObject({ entries: seedEntries, alreadyPresent: 8, recorded: seedEntries - 8 });
    const events = await store.readAll();
    expect(new Set(events.map((e) => e.metadata.idempotencyKey)).size).toBe(seedEntries);
    expect(ledger.projection.version().events).toBe(events.length);
    await ledger.close();
  });

  it('logs the index phase of a start that builds its read store from events, and not for a new, empty ledger', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line).msg) });
    const store = new SqliteEventStore(':memory:');
    const dir = mkdtempSync(join(tmpdir(), 'ledger-start-log-'));
    try {
      const first = await composeLedger(config(), { store, logger, readModel: { dir: join(dir, 'first') } });
      await first.projection.stop();
      expect(lines.filter((l) => l.includes('building its query and search indexes'))).toEqual([]);
      const count = (await store.readAll()).length;
      const second = await composeLedger(config(), { store, logger, readModel: { dir: join(dir, 'second') } });
      expect(lines.filter((l) => l.includes('building its query and search indexes'))).toEqual([
        `read store: ${count} events applied; building its query and search indexes`,
      ]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a complete seed is left as it is on the next start', async () => {
    const store = new SqliteEventStore(':memory:');
    const first = await composeLedger(config(), { store });
    const count = (await store.readAll()).length;
    const again = await composeLedger(config(), { store });
    expect(again.seeded).toMatchObject({ recorded: 0, alreadyPresent: seedEntries });
    expect(await store.readAll()).toHaveLength(count);
    await first.projection.stop();
    await again.close();
  });

  it('a ledger that did not begin with the seed (LEDGER_SEED_ON_START=false at first) is not seeded later', async () => {
    const store = new SqliteEventStore(':memory:');
    await new Ledger(store, { historyStart: '2006-01-01' }).execute(
      { type: 'RegisterDocument', data: { id: 'own', title: 'Own', publisher: 'EUROCITIES', issuedOn: '2010', language: 'en' } },
      { id: 'secretariat/someone' },
    );
    const ledger = await composeLedger(config(), { store });
    expect(ledger.seeded).toBeUndefined();
    expect(await store.readAll()).toHaveLength(1);
    await ledger.close();
  });
});
