import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerProjection } from '../../src/projections/ledger-projection';
import { ReadStore } from '../../src/projections/read-store/read-store';
import { EsdbEventStore } from '../../src/store/esdb-store';
import { KurrentDbProtocolFake } from '../support/esdb-protocol-fake';
import { addBody } from '../support/builders';
import { documents, ledgerFixture } from '../support/ledger-fixture';

/** On KurrentDB the read store is the same embedded SQLite, fed by the catch-up subscription. */
describe('the read store on KurrentDB (protocol fake)', () => {
  let dir: string;
  const fakes: KurrentDbProtocolFake[] = [];
  const stores: EsdbEventStore[] = [];
  const connect = async () => {
    const fake = await KurrentDbProtocolFake.start();
    fakes.push(fake);
    const store = EsdbEventStore.connect(fake.connectionString, { resubscribeDelayMs: { first: 20, max: 100 } });
    stores.push(store);
    return store;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-store-esdb-'));
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    for (const f of fakes.splice(0)) await f.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a read store ahead of a KurrentDB restored from an older backup is rebuilt at start, not caught up from its checkpoint', async () => {
    const first = await connect();
    const f = ledgerFixture(first);
    await f.at('2021-01-01T10:00:00Z', documents.recommendations);
    await f.at('2021-01-02T10:00:00Z', { type: 'AddPosition', data: addBody() });
    await f.at('2021-01-03T10:00:00Z', { type: 'EndorsePosition', positionId: 'eu-4', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2007' } });
    const events = await first.readAll();
    const location = { dir: join(dir, 'read-model') };
    const followed = await ReadStore.follow(first, { location });
    expect(followed.position('eu-4')!.status).toBe('endorsed');
    await followed.stop();

    // the backup holds the first two events only (the same events, the same ids)
    const restored = await connect();
    for (const e of events.slice(0, 2)) await restored.append(e.streamId, [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }], 'any');
    const reasons: string[] = [];
    const again = await ReadStore.follow(restored, { location, onRebuild: (r) => reasons.push(r) });
    expect(reasons).toEqual([expect.stringContaining('the read store is ahead of the event store')]);
    expect(again.position('eu-4')!.status).toBe('proposed');
    const oracle = await LedgerProjection.rebuild(restored);
    expect(again.positionPage({}).items).toEqual(oracle.positionPage({}).items);
    expect(again.version()).toEqual(oracle.version());
    expect(again.tableDrift(await restored.readAll())).toEqual([]);
    await again.stop();
  });

  it('a wiped KurrentDB: the read store of the old ledger is rebuilt (empty), and follows what is recorded next', async () => {
    const first = await connect();
    await ledgerFixture(first).at('2021-01-01T10:00:00Z', documents.recommendations);
    const location = { dir: join(dir, 'read-model') };
    await (await ReadStore.follow(first, { location })).stop();
    const wiped = await connect();
    const reasons: string[] = [];
    const again = await ReadStore.follow(wiped, { location, onRebuild: (r) => reasons.push(r) });
    expect(reasons).toHaveLength(1);
    expect(again.documentList()).toEqual([]);
    const recorded = await ledgerFixture(wiped).at('2021-02-01T10:00:00Z', documents.contribution);
    expect(await again.waitFor(recorded.events[0]!.eventId, 5000)).toBe(true);
    expect(again.documentList().map((d) => d.documentId)).toEqual(['contribution']);
    await again.stop();
  });
});
