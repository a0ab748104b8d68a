import { ProblemError } from './problem';

export interface WholeLedgerLimits {
  /** whole-ledger jobs running at once, whoever asked (each takes a core) */
  readonly running: number;
  /** jobs waiting for one of those; beyond, a request is refused */
  readonly waiting: number;
}

/** two at once: the machine the ledger is sized for has two cores, and requests must keep one */
export const DEFAULT_LIMITS: WholeLedgerLimits = { running: 2, waiting: 16 };
const RETRY_AFTER_SECONDS = 5;

/**
 * Work over the whole ledger (verify, the export, a checkpoint) is limited per caller and in all:
 * one job in flight per principal (running or waiting), a few running at once, a bounded queue
 * behind them. A request over a limit is answered 429 with Retry-After at once, instead of piling
 * up work nobody waits for.
 */
export class WholeLedgerWork {
  /** caller -> what they asked for (running or waiting) */
  private readonly perCaller = new Map<string, string>();
  private readonly queue: (() => void)[] = [];
  private running = 0;
  private readonly stopping = new AbortController();

  constructor(private readonly limits: WholeLedgerLimits = DEFAULT_LIMITS) {}

  async run<T>(callerId: string, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.perCaller.has(callerId))
      throw tooMany(
        `the ${this.perCaller.get(callerId)} you asked for is still running (whole-ledger work, one at a time per caller): wait for its answer before asking for a ${what}`,
      );
    if (this.running >= this.limits.running && this.queue.length >= this.limits.waiting)
      throw tooMany(`the server is busy with ${this.running + this.queue.length} whole-ledger jobs of other callers`);
    this.perCaller.set(callerId, what);
    try {
      if (this.running >= this.limits.running) await new Promise<void>((resolve) => this.queue.push(resolve));
      if (this.stopping.signal.aborted) throw new ProblemError(503, 'stopping', 'Service unavailable', `the server is stopping: the ${what} was not done`);
      this.running += 1;
      try {
        return await work(this.stopping.signal);
      } finally {
        this.running -= 1;
        this.queue.shift()?.();
      }
    } finally {
      this.perCaller.delete(callerId);
    }
  }

  /** The server is stopping: running jobs are ended (a worker is terminated), waiting ones too. */
  stop(): void {
    this.stopping.abort();
    for (const next of this.queue.splice(0)) next();
  }
}

function tooMany(detail: string): ProblemError {
  const problem = new ProblemError(429, 'too-many-audits', 'Too Many Requests', `${detail}; try again in ${RETRY_AFTER_SECONDS} s`);
  problem.retryAfterSeconds = RETRY_AFTER_SECONDS;
  return problem;
}
