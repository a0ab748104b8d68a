import type { Worker } from 'node:worker_threads';
import { tableDriftSteps } from '../projections/read-store/compare-tables';
import { ReadStoreTables } from '../projections/read-store/tables';
import { SqliteEventStore } from '../store/sqlite-store';
import { startWorkerThread } from '../store/worker-thread';
import { snapshotOf } from './projection-snapshot';
import { readWholeLedger } from './read-ledger';
import type { VerifyReport } from './verify';
import { exportToLatestCheckpoint, type LedgerExportText } from './export-ledger';
import { planCheckpoint, type CheckpointPlan } from './record-checkpoint';
import { verifyAtOneState } from './verify-live';

/** What a worker needs to verify on its own: the two SQLite files, opened read-only by the worker itself. */
export interface VerifyJob {
  readonly ledgerPath: string;
  /** the read store's current generation */
  readonly readStorePath: string;
  readonly keptRoots: readonly string[];
}

/** The export up to the latest checkpoint (see exportToLatestCheckpoint), made from the ledger file. */
export interface ExportJob {
  readonly ledgerPath: string;
}

/** A checkpoint planned over the ledger file (see planCheckpoint); the server appends it. */
export interface CheckpointJob {
  readonly ledgerPath: string;
  readonly recordedAt: string;
  readonly onlyIfChanged: boolean;
}

export type WholeLedgerJob = ({ kind: 'verify' } & VerifyJob) | ({ kind: 'export' } & ExportJob) | ({ kind: 'checkpoint' } & CheckpointJob);
type Answers = { verify: VerifyReport; export: LedgerExportText | undefined; checkpoint: CheckpointPlan };

type WorkerAnswer = ({ result: Answers[keyof Answers] } | { error: string }) & { readonly heapBytes: number };

/**
 * A worker whose heap has grown past this after a job (a large ledger read whole) is ended rather
 * than kept idle: its memory goes back to the system. At 100k events a verify leaves about 0.9 GB.
 */
export const KEEP_WORKER_HEAP_BYTES = 128 * 1024 * 1024;

/**
 * Verifies the whole ledger, makes its export and plans checkpoints in worker threads, so that
 * hashing every event and rebuilding every projection never holds the server's event loop: `/health` and every other request keep being
 * answered meanwhile. Each job opens its own read-only handles on the ledger and on the read
 * store, so nothing large crosses between threads but the report. Workers are kept for the next
 * job (loading the code takes longer than verifying a small ledger); how many run at once is the
 * caller's limit (WholeLedgerWork).
 */
export class VerifyWorkers {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();

  constructor(private readonly keepHeapBytes = KEEP_WORKER_HEAP_BYTES) {}

  /** workers kept for the next job */
  get idleWorkers(): number {
    return this.idle.length;
  }

  /** `signal` ends the job's worker (the server stopping). */
  verify(job: VerifyJob, signal?: AbortSignal): Promise<VerifyReport> {
    return this.run({ kind: 'verify', ...job }, signal);
  }

  export(job: ExportJob, signal?: AbortSignal): Promise<LedgerExportText | undefined> {
    return this.run({ kind: 'export', ...job }, signal);
  }

  planCheckpoint(job: CheckpointJob, signal?: AbortSignal): Promise<CheckpointPlan> {
    return this.run({ kind: 'checkpoint', ...job }, signal);
  }

  private run<K extends WholeLedgerJob['kind']>(job: WholeLedgerJob & { kind: K }, signal?: AbortSignal): Promise<Answers[K]> {
    const what = job.kind;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Error(`${what} stopped: the server is stopping`));
      const worker = this.idle.pop() ?? this.start();
      const done = () => {
        signal?.removeEventListener('abort', abort);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      const onMessage = (answer: WorkerAnswer) => {
        done();
        if (answer.heapBytes <= this.keepHeapBytes) this.idle.push(worker);
        else {
          this.drop(worker);
          void worker.terminate();
        }
        if ('result' in answer) resolve(answer.result as Answers[K]);
        else reject(new Error(`${what} failed in its worker: ${answer.error}`));
      };
      const onError = (error: Error) => {
        done();
        this.drop(worker);
        reject(error);
      };
      const onExit = (code: number) => {
        done();
        this.drop(worker);
        reject(new Error(signal?.aborted ? `${what} stopped: the server is stopping` : `the ${what} worker exited (${code}) before it reported`));
      };
      const abort = () => void worker.terminate();
      signal?.addEventListener('abort', abort, { once: true });
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage(job);
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.all].map((w) => w.terminate()));
  }

  private start(): Worker {
    const worker = startWorker();
    // an idle worker never keeps the process alive
    worker.unref();
    this.all.add(worker);
    return worker;
  }

  private drop(worker: Worker): void {
    this.all.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
  }
}

function startWorker(): Worker {
  return startWorkerThread(__dirname, 'verify-worker', __filename.endsWith('.js'));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The work itself, in the worker. */
export async function runWholeLedgerJob(job: WholeLedgerJob): Promise<Answers[keyof Answers]> {
  if (job.kind === 'verify') return runVerifyJob(job);
  const store = new SqliteEventStore(job.ledgerPath, { access: 'read-only' });
  try {
    const events = await readWholeLedger(store);
    return job.kind === 'export' ? exportToLatestCheckpoint(events) : planCheckpoint(events, job.recordedAt, job.onlyIfChanged);
  } finally {
    await store.close();
  }
}

/** Verify, in the worker: the read store held at one snapshot, and the ledger read at the same state. */
export async function runVerifyJob(job: VerifyJob): Promise<VerifyReport> {
  const store = new SqliteEventStore(job.ledgerPath, { access: 'read-only' });
  try {
    for (let attempt = 1; ; attempt += 1) {
      const tables = ReadStoreTables.openReadOnly(job.readStorePath);
      try {
        // one read transaction: every table read below sees the read store as it was at this moment
        tables.db.exec('BEGIN');
        if (Number(tables.meta('events') ?? 0) !== tables.version().events && attempt < 20) continue; // it moved on between opening and the snapshot
        const live = snapshotOf(tables);
        const events = await readWholeLedger(store);
        // the server's read store follows the ledger a moment behind: wait for it (about 2 s, as verify on the main thread does)
        if (events.length !== live.version.events && attempt < 20) {
          await sleep(100);
          continue;
        }
        // awaited here: the finally below closes the tables the drift check reads
        return await verifyAtOneState(store, events, live, (all) => tableDriftSteps(all, tables), job.keptRoots);
      } finally {
        if (tables.db.inTransaction) tables.db.exec('COMMIT');
        tables.close();
      }
    }
  } finally {
    await store.close();
  }
}
