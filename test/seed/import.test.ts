import canonicalize from 'canonicalize';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyLedger } from '../../src/audit/verify';
import { Ledger } from '../../src/command-handling/ledger';
import { importSeedDir, SeedFileError } from '../../src/seed/import';
import { SqliteEventStore } from '../../src/store/sqlite-store';

/** Importing seed files is all or nothing, and idempotent. */
describe('import of seed files', () => {
  const document = {
    entry: 'doc',
    command: 'RegisterDocument',
    body: { id: 'rec', title: 'Political recommendations', publisher: 'EUROCITIES', issuedOn: '2006', language: 'en' },
  };
  const position = (id: string, decidedOn = '2006') => ({
    entry: `${id}/added`,
    command: 'AddPosition',
    body: {
      id,
      title: `Title ${id}`,
      statement: `Statement ${id}.`,
      themes: ['governance'],
      addressees: ['cities'],
      decidedOn,
      source: { documentId: 'rec', locator: 'item 1' },
    },
  });
  const dirWith = (files: Record<string, unknown[]>) => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-seed-'));
    for (const [name, entries] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(entries));
    return dir;
  };
  const ledgerOn = (store: SqliteEventStore) => new Ledger(store, { historyStart: '2006-01-01', now: () => new Date('2026-11-23T10:00:00Z') });

  it('an entry that breaks a rule, late in the last file: reported with its file and entry, and nothing recorded', async () => {
    const store = new SqliteEventStore(':memory:');
    const dir = dirWith({ '001.json': [document, position('p-1')], '002.json': [position('p-2'), position('p-3', '2099')] });
    await expect(importSeedDir(ledgerOn(store), dir)).rejects.toThrow(
      new SeedFileError(
        '002.json: entry "p-3/added": decidedOn 2099 reaches into the future (it may be as late as 2099-12-31; today is 2026-11-23 in Brussels)',
      ),
    );
    expect(await store.readAll()).toEqual([]);
    await store.close();
  });

  it('on a ledger that has some of the entries already, records the rest, and a second run records nothing', async () => {
    const store = new SqliteEventStore(':memory:');
    const first = dirWith({ '001.json': [document, position('p-1')] });
    expect(await importSeedDir(ledgerOn(store), first)).toMatchObject({ recorded: 2, alreadyPresent: 0 });
    const more = dirWith({ '001.json': [document, position('p-1')], '002.json': [position('p-2')] });
    expect(await importSeedDir(ledgerOn(store), more)).toMatchObject({ recorded: 1, alreadyPresent: 2 });
    expect(await importSeedDir(ledgerOn(store), more)).toMatchObject({ recorded: 0, alreadyPresent: 3 });
    expect(await store.readAll()).toHaveLength(3);
    await store.close();
  });

  it("stores each event's data as the canonical JSON its hash covers, and every hash and chain verifies", async () => {
    const store = new SqliteEventStore(':memory:');
    await importSeedDir(ledgerOn(store), dirWith({ '001.json': [document, position('p-1'), position('p-2')] }));
    const rows = await store.readAllSerialized();
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.data).toBe(canonicalize(JSON.parse(row.data)));
    expect(verifyLedger(await store.readAll()).ok).toBe(true);
    await store.close();
  });
});
