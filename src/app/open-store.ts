import { LEDGER_STREAM_PREFIXES } from '../domain/stream-names';
import type { Config } from './config';
import type { EventStore } from '../store/event-store';
import { EsdbEventStore } from '../store/esdb-store';
import { SqliteEventStore, type SqliteAccess } from '../store/sqlite-store';

/**
 * The one place that turns configuration into a store adapter. `access` matters for SQLite only:
 * a KurrentDB server is never created by connecting to it.
 */
export async function openStore(store: Config['store'], access: SqliteAccess = 'create'): Promise<EventStore> {
  switch (store.kind) {
    case 'sqlite':
      return new SqliteEventStore(store.path, { access });
    case 'esdb':
      // The database may hold other applications' streams: the ledger reads and follows only its own.
      return EsdbEventStore.connect(store.connectionString, { streams: LEDGER_STREAM_PREFIXES });
  }
}
