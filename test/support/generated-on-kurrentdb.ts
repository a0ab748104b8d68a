import { join } from 'node:path';
import { generateLedger } from '../../bench/read-model/generate-ledger';
import { copyLedger } from '../../src/migrate/copy';
import { EsdbEventStore } from '../../src/store/esdb-store';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { KurrentDbProtocolFake } from './esdb-protocol-fake';

/** A KurrentDB (the protocol fake) holding a generated ledger of this many events, and a store connected to it. */
export async function generatedOnKurrentDb(dir: string, events: number): Promise<{ fake: KurrentDbProtocolFake; store: EsdbEventStore }> {
  generateLedger(join(dir, 'ledger.db'), events);
  const fake = await KurrentDbProtocolFake.start();
  const store = EsdbEventStore.connect(fake.connectionString);
  const source = new SqliteEventStore(join(dir, 'ledger.db'), { access: 'read-only' });
  await copyLedger(source, store);
  await source.close();
  return { fake, store };
}
