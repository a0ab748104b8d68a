// A worker thread's entry (see verify-in-worker.ts): does each whole-ledger job it is sent (verify, export, checkpoint), answering the result or the error.
import { parentPort } from 'node:worker_threads';
import { runWholeLedgerJob, type WholeLedgerJob } from './verify-in-worker';

parentPort!.on('message', (job: WholeLedgerJob) => {
  runWholeLedgerJob(job).then(
    (result) => parentPort!.postMessage({ result }),
    (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) }),
  );
});
