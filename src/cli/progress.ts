import { SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

export const quietProgress: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A progress bar on the terminal for long runs (cli-progress: maintained, no dependencies of its
 * own); nothing at all when stderr is not a terminal (CI, pipes, logs), so output stays clean.
 */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return quietProgress;
  const bar = new SingleBar(
    { stream, format: `${label} [{bar}] {percentage}% {value}/{total} {unit}, {eta_formatted} left`, hideCursor: true, clearOnComplete: true },
    undefined,
  );
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(total ?? done, done, { unit: 'events' });
        started = true;
      }
      if (total !== undefined) bar.setTotal(total);
      else if (done > bar.getTotal()) bar.setTotal(done);
      bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
