import { SqliteEventStore } from '../../src/store/sqlite-store';
import { auditSuite } from './audit-suite';

auditSuite('sqlite', async () => new SqliteEventStore(':memory:', { pollIntervalMs: 20 }));
