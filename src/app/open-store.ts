import type { Config } from './config';
import type { EventStore } from '../store/event-store';
import { EsdbEventStore } from '../store/esdb-store';
import { SqliteEventStore } from '../store/sqlite-store';

/** The one place that turns configuration into a store adapter. */
export async function openStore(store: Config['store']): Promise<EventStore> {
  switch (store.kind) {
    case 'sqlite':
      return new SqliteEventStore(store.path);
    case 'esdb':
      return EsdbEventStore.connect(store.connectionString);
  }
}
