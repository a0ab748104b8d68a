import type { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import type { Cli } from '../../app/compose-cli';
import { ReadStore } from '../../projections/read-store/read-store';
import { cliCommand, runAction } from '../plumbing';

/**
 * `ledger rebuild`: a fresh read store from event one, swapped in atomically when complete. A
 * server running on the same read store keeps answering from the old one meanwhile, then switches.
 */
export function runRebuild(cli: Cli): Promise<number> {
  const { io } = cli;
  const { readModelDir } = cli.config();
  const started = performance.now();
  const rate = (n: number) => Math.round(n / ((performance.now() - started) / 1000 || 1));
  let shown = 0;
  return cli.withStore('existing', async (store) => {
    const version = await ReadStore.rebuild(store, { dir: readModelDir }, (applied) => {
      // on a terminal one line that moves; in a log, a line every 100,000 events
      if (io.tty) io.err(`\rrebuilding the read store: ${applied} events (${rate(applied)}/s)`);
      else if (applied - shown >= 100_000) {
        shown = applied;
        io.err(`rebuilding the read store: ${applied} events (${rate(applied)}/s)\n`);
      }
    });
    if (io.tty) io.err('\n');
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    io.out(`read store rebuilt from event one in ${seconds} s: ${version.events} events, ${readModelDir} (a running server switches to it within a second)\n`);
    return 0;
  });
}

export function register(program: Command, cli: Cli): void {
  cliCommand(program, 'rebuild')
    .description(
      'rebuild the read store from event one into a fresh file and swap it in atomically (LEDGER_READ_MODEL_DIR); a running server keeps answering meanwhile',
    )
    .action(() => runAction(cli.io, () => runRebuild(cli)));
}
