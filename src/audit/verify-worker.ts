// A worker process's entry (see verify-in-worker.ts): does each whole-ledger job it is sent (verify, export, checkpoint), answering the result or the error.
import { getHeapStatistics } from 'node:v8';
import { runWholeLedgerJob, type WholeLedgerJob } from './verify-in-worker';

// each answer says how large this worker's heap has grown, so that the server does not keep a large one idle
const heapBytes = () => getHeapStatistics().total_heap_size;
const answer = (message: object) => process.send!(message);
process.on('message', (job: WholeLedgerJob) => {
  runWholeLedgerJob(job).then(
    (result) => answer({ result, heapBytes: heapBytes() }),
    (error: unknown) => answer({ error: error instanceof Error ? error.message : String(error), heapBytes: heapBytes() }),
  );
});
// the server is gone (stopped, or killed): nothing is left to answer
process.on('disconnect', () => process.exit(0));
