// Follows a ledger into a read store, then exits: the process the crash test kills with SIGKILL.
import { ReadStore } from '../../src/projections/read-store/read-store';
import { SqliteEventStore } from '../../src/store/sqlite-store';

async function main(): Promise<void> {
  const [ledgerPath, dir] = process.argv.slice(2);
  const store = new SqliteEventStore(ledgerPath!, { access: 'existing' });
  const readStore = await ReadStore.follow(store, { location: { dir: dir! }, swapCheckMs: 0, onProgress: (n) => process.stdout.write(`applied ${n}\n`) });
  process.stdout.write(`caught up ${readStore.version().events}\n`);
  await readStore.stop();
  await store.close();
}

void main();
