import type { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import type { Cli } from '../../app/compose-cli';
import { ReadStore } from '../../projections/read-store/read-store';
import { cliCommand, runAction } from '../plumbing';

/**
 * `ledger rebuild`: a fresh read store from event one, swapped in atomically when complete. A
 * server running on the same read store keeps answering from the old one meanwhile, then switches.
 */
export function runRebuild(cli: Cli, signal?: AbortSignal): Promise<number> {
  const { io } = cli;
  const { readModelDir } = cli.config();
  const started = performance.now();
  const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);
  const rate = (n: number) => Math.round(n / ((performance.now() - started) / 1000 || 1));
  return cli.withStore('existing', async (store) => {
    // a store that counts cheaply (SQLite) gives the bar its end; KurrentDB's grows as it goes
    const total = await store.countEvents?.();
    const of = total === undefined ? '' : ` of ${total}`;
    const bar = cli.progress('rebuild');
    let barShown = true;
    const endBar = () => {
      if (barShown) bar.stop();
      barShown = false;
    };
    let shown = 0;
    let indexing = started;
    const version = await ReadStore.rebuild(
      store,
      { dir: readModelDir },
      {
        signal,
        onProgress: (applied) => {
          bar.update(applied, total);
          // on a terminal the bar; in a log, a line every 100,000 events
          if (!io.tty && applied - shown >= 100_000) {
            shown = applied;
            io.err(`rebuilding the read store: ${applied}${of} events (${rate(applied)}/s)\n`);
          }
        },
        onIndexing: () => {
          endBar();
          indexing = performance.now();
          io.err(`every event applied in ${seconds(started)} s; building the query and search indexes\n`);
        },
      },
    )
      .catch((error: unknown) => {
        if (!signal?.aborted) throw error;
        throw new Error(`rebuild stopped by ${String(signal.reason)}: its partial read store was removed; the one in use is unchanged`);
      })
      .finally(endBar);
    io.out(
      `read store rebuilt from event one in ${seconds(started)} s (indexes ${seconds(indexing)} s): ${version.events} events, ${readModelDir} (a running server switches to it within a second)\n`,
    );
    return 0;
  });
}

export function register(program: Command, cli: Cli): void {
  cliCommand(program, 'rebuild')
    .description(
      'rebuild the read store from event one into a fresh file and swap it in atomically (LEDGER_READ_MODEL_DIR); a running server keeps answering meanwhile',
    )
    .action(() =>
      runAction(cli.io, async () => {
        // Ctrl-C (or a stop) ends the build between two pages and removes its file; a second one kills at once
        const stop = new AbortController();
        const onSignal = (name: NodeJS.Signals) => stop.abort(name);
        process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
        try {
          return await runRebuild(cli, stop.signal);
        } finally {
          process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
        }
      }),
    );
}
