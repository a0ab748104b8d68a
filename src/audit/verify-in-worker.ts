import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TablesRebuiltBeside } from '../projections/read-store/rebuilt-beside';
import type { Config } from '../app/config';
import { openStore } from '../app/open-store';
import type { VerifyReport } from './verify';
import { writeExportToLatestCheckpoint, type LedgerExportFile } from './export-ledger';
import { planOverStore, type CheckpointPlan } from './record-checkpoint';
import { verifyStore } from './verify-store';

/**
 * The store a worker opens on its own, read-only: the SQLite file, or a connection to the same
 * KurrentDB (a string that may hold credentials: sent to the worker, never logged).
 */
export type WorkerStore = Config['store'];

/** What a worker needs to verify on its own: the store and the read store's file, opened read-only by the worker itself. */
export interface VerifyJob {
  readonly store: WorkerStore;
  /** the read store's current generation */
  readonly readStorePath: string;
  readonly keptRoots: readonly string[];
}

/** The export up to the latest checkpoint (see writeExportToLatestCheckpoint), written to the file at `path`. */
export interface ExportJob {
  readonly store: WorkerStore;
  readonly path: string;
}

/** A checkpoint planned over the ledger (see planOverStore); the server appends it. */
export interface CheckpointJob {
  readonly store: WorkerStore;
  readonly recordedAt: string;
  readonly onlyIfChanged: boolean;
}

export type WholeLedgerJob = ({ kind: 'verify' } & VerifyJob) | ({ kind: 'export' } & ExportJob) | ({ kind: 'checkpoint' } & CheckpointJob);
type Answers = { verify: VerifyReport; export: LedgerExportFile | undefined; checkpoint: CheckpointPlan };

type WorkerAnswer = ({ result: Answers[keyof Answers] } | { error: string }) & { readonly heapBytes: number };

/**
 * A worker whose heap has grown past this after a job (a large ledger read) is ended rather than
 * kept idle: its memory goes back to the system.
 */
export const KEEP_WORKER_HEAP_BYTES = 128 * 1024 * 1024;

/**
 * Verifies the whole ledger, makes its export and plans checkpoints in worker processes, so that
 * hashing every event and rebuilding every projection never holds the server's event loop
 * (`/health` and every other request keep being answered meanwhile) and never grows the server's
 * own memory: at a million events a verify needs a gigabyte or more, which a process gives back
 * whole when it ends (a thread's was kept by the server's allocator). Each job opens its own
 * read-only handles on the ledger and on the read store, so nothing large crosses between
 * processes but the report. Workers are kept for the next job (loading the code takes longer than
 * verifying a small ledger); how many run at once is the caller's limit (WholeLedgerWork).
 */
export class VerifyWorkers {
  private readonly idle: ChildProcess[] = [];
  private readonly all = new Set<ChildProcess>();

  constructor(private readonly keepHeapBytes = KEEP_WORKER_HEAP_BYTES) {}

  /** workers kept for the next job */
  get idleWorkers(): number {
    return this.idle.length;
  }

  /** `signal` ends the job's worker (the server stopping). */
  verify(job: VerifyJob, signal?: AbortSignal): Promise<VerifyReport> {
    return this.run({ kind: 'verify', ...job }, signal);
  }

  export(job: ExportJob, signal?: AbortSignal): Promise<LedgerExportFile | undefined> {
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
        if (answer.heapBytes <= this.keepHeapBytes) this.keepIdle(worker);
        else void this.end(worker);
        if ('result' in answer) resolve(answer.result as Answers[K]);
        else reject(new Error(`${what} failed in its worker: ${answer.error}`));
      };
      const onError = (error: Error) => {
        done();
        void this.end(worker);
        reject(error);
      };
      const onExit = (code: number | null, exitSignal: NodeJS.Signals | null) => {
        done();
        this.all.delete(worker);
        reject(new Error(signal?.aborted ? `${what} stopped: the server is stopping` : `the ${what} worker exited (${code ?? exitSignal}) before it reported`));
      };
      const abort = () => void this.end(worker);
      signal?.addEventListener('abort', abort, { once: true });
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      // a worker at work keeps the process alive until it answers
      worker.ref();
      worker.channel?.ref();
      worker.send(job);
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.all].map((w) => this.end(w)));
  }

  private start(): ChildProcess {
    const worker = startWorker();
    this.all.add(worker);
    return worker;
  }

  private keepIdle(worker: ChildProcess): void {
    // an idle worker never keeps the process alive
    worker.channel?.unref();
    worker.unref();
    this.idle.push(worker);
  }

  /** ends the worker, and resolves once it is gone */
  private end(worker: ChildProcess): Promise<void> {
    this.all.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    if (worker.exitCode !== null || worker.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      worker.once('exit', () => resolve());
      worker.kill();
    });
  }
}

/** The worker's entry, verify-worker.ts (compiled, .js) in a process of its own; from source it is compiled there by tsx, as under `npm start` and jest. */
function startWorker(): ChildProcess {
  const compiled = __filename.endsWith('.js');
  return fork(join(__dirname, compiled ? 'verify-worker.js' : 'verify-worker.ts'), [], {
    execArgv: compiled ? [] : ['--require', 'tsx/cjs'],
    // reports cross as structured clones, as between threads
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The work itself, in the worker. */
export async function runWholeLedgerJob(job: WholeLedgerJob): Promise<Answers[keyof Answers]> {
  if (job.kind === 'verify') return runVerifyJob(job);
  const store = await openStore(job.store, 'read-only');
  try {
    if (job.kind === 'export') return await writeExportToLatestCheckpoint(store, job.path);
    return await planOverStore(store, job.recordedAt, job.onlyIfChanged);
  } finally {
    await store.close();
  }
}

/**
 * Verify, in the worker: the read store pinned at one state, the ledger read after it page by page,
 * every projection rebuilt beside and compared with the read store at the events it had applied.
 */
export async function runVerifyJob(job: VerifyJob): Promise<VerifyReport> {
  const store = await openStore(job.store, 'read-only');
  try {
    const kept = job.keptRoots.map((rootHash) => ({ rootHash }));
    return (await verifyStore(store, TablesRebuiltBeside.forGeneration(job.readStorePath), kept)).report;
  } finally {
    await store.close();
  }
}
