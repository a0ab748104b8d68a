import { join } from 'node:path';
import { composeLedger } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { Ledger } from '../../src/ledger/ledger';
import { importSeedDir, readSeedDir } from '../../src/seed/import';
import { SqliteEventStore } from '../../src/store/sqlite-store';

const SEEDS = join(__dirname, '../../events');
const seedEntries = readSeedDir(SEEDS).reduce((n, f) => n + f.entries.length, 0);

/** A first start interrupted while seeding (kill -9, Ctrl-C) must not leave a partial seed for good. */
describe('seeding at start-up', () => {
  const config = (env: NodeJS.ProcessEnv = {}) => loadConfig({ LEDGER_SEED_DIR: SEEDS, LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0', ...env });

  it('completes a seeding that was interrupted after 8 entries, and records nothing twice', async () => {
    const store = new SqliteEventStore(':memory:');
    const interrupted = new Error('killed');
    let recorded = 0;
    await expect(
      importSeedDir(new Ledger(store, { historyStart: '2006-01-01' }), SEEDS, () => {
        recorded += 1;
        if (recorded === 8) throw interrupted;
      }),
    ).rejects.toThrow('killed');
    expect(await store.readAll()).toHaveLength(8);

    const ledger = await composeLedger(config(), { store });
    expect(ledger.seeded).toMatchObject({ entries: seedEntries, alreadyPresent: 8, recorded: seedEntries - 8 });
    const events = await store.readAll();
    expect(new Set(events.map((e) => e.metadata.idempotencyKey)).size).toBe(seedEntries);
    expect(ledger.projection.version().events).toBe(events.length);
    await ledger.close();
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
