import { SqliteEventStore } from '../../src/store/sqlite-store';
import { listSuite } from './lists-suite';

listSuite('sqlite', async () => new SqliteEventStore(':memory:', { pollIntervalMs: 20 }));
