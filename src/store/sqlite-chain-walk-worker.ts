// A worker thread's entry (see SqliteEventStore.walkChainsAside): walks the ledger file's chains through its own read-only handle and answers the report.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { ChainWalk } from '../integrity/chain-walk';

const { path } = workerData as { path: string };
try {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const walk = new ChainWalk();
  // one statement: one read transaction, so the walk sees one state of the ledger however long it takes
  const rows = db.prepare('SELECT event_id, stream_id, stream_revision, type, data, metadata FROM events ORDER BY global_position').raw().iterate();
  for (const [id, streamId, revision, type, data, metadata] of rows as Iterable<[string, string, number, string, string, string]>)
    if (!walk.step({ id, streamId, revision, type, data, metadata })) break;
  db.close();
  parentPort!.postMessage({ result: walk.report() });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
