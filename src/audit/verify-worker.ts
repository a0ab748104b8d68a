// A worker thread's entry (see verify-in-worker.ts): verifies each job it is sent, answering the report or the error.
import { parentPort } from 'node:worker_threads';
import { runVerifyJob, type VerifyJob } from './verify-in-worker';

parentPort!.on('message', (job: VerifyJob) => {
  runVerifyJob(job).then(
    (report) => parentPort!.postMessage({ report }),
    (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) }),
  );
});
