import type { Logger } from 'pino';
import type { EventStore } from '../store/event-store';
import { recordCheckpoint, type PlanCheckpoint } from './record-checkpoint';

/** Runs `task` every `ms` milliseconds until the returned function is called; injectable for tests. */
export type Schedule = (ms: number, task: () => Promise<void>) => () => void;

export const everyInterval: Schedule = (ms, task) => {
  const timer = setInterval(() => void task(), Math.min(ms, 2 ** 31 - 1));
  timer.unref();
  return () => clearInterval(timer);
};

/** Who records the periodic checkpoints. */
export const CHECKPOINT_TIMER = { id: 'ledger/checkpoint-timer' };

/**
 * Records a checkpoint every `minutes` (LEDGER_CHECKPOINT_INTERVAL_MINUTES; 0 turns it off),
 * whenever something was recorded since the latest one. One run at a time; a failure is logged
 * and the next run tries again.
 */
export function periodicCheckpoints(
  store: EventStore,
  minutes: number,
  options: {
    schedule: Schedule;
    now?: () => Date;
    logger?: Logger;
    storage?: { observe<T>(write: () => Promise<T>): Promise<T> };
    /** where the checkpoint is computed (a worker process on a SQLite file) */
    plan?: PlanCheckpoint;
  },
): { stop(): Promise<void> } {
  if (!(minutes > 0)) return { stop: async () => undefined };
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = async () => {
    if (running || stopped) return;
    running = (async () => {
      try {
        const record = () => recordCheckpoint(store, { actor: CHECKPOINT_TIMER, now: options.now, onlyIfChanged: true, plan: options.plan });
        const { recorded, checkpoint } = await (options.storage ? options.storage.observe(record) : record());
        if (recorded) options.logger?.info({ rootHash: checkpoint?.checkpoint.rootHash, events: checkpoint?.checkpoint.eventCount }, 'checkpoint recorded');
      } catch (error) {
        if (!stopped) options.logger?.error({ err: error }, 'periodic checkpoint failed');
      } finally {
        running = undefined;
      }
    })();
    await running;
  };
  const cancel = options.schedule(minutes * 60_000, run);
  return {
    stop: async () => {
      stopped = true;
      cancel();
      await running;
    },
  };
}
