// A worker thread's entry (see verify-in-worker.ts): does each whole-ledger job it is sent (verify, export, checkpoint), answering the result or the error.
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { runWholeLedgerJob, type WholeLedgerJob } from './verify-in-worker';

// each answer says how large this worker's heap has grown, so that the server does not keep a large one idle
const heapBytes = () => getHeapStatistics().total_heap_size;
parentPort!.on('message', (job: WholeLedgerJob) => {
  runWholeLedgerJob(job).then(
    (result) => parentPort!.postMessage({ result, heapBytes: heapBytes() }),
    (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error), heapBytes: heapBytes() }),
  );
});
