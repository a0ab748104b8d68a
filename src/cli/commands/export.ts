import type { Command } from 'commander';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import type { Cli } from '../../app/compose-cli';
import { exportLedger } from '../../audit/export-ledger';
import { UsageError } from '../exit-codes';
import { cliCommand, runAction } from '../plumbing';

export interface ExportCommandOptions {
  readonly out?: string;
}

/** `ledger export`: the whole ledger as NDJSON in global order, ending with a checkpoint over all of it. */
export async function runExport(opts: ExportCommandOptions, cli: Cli): Promise<number> {
  const { io } = cli;
  const out = opts.out;
  let fd: number | undefined;
  // written a page at a time (at a million events an export is about 800 MB, longer than any one
  // string can be); the file is made at the first page, so a ledger that cannot be opened leaves none
  const write = (chunk: string) => {
    if (out === undefined) return io.out(chunk);
    if (fd === undefined) {
      try {
        fd = openSync(out, 'w');
      } catch (error) {
        throw new UsageError(`cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    writeSync(fd, chunk);
  };
  let complete = false;
  try {
    const made = await cli.withStore('existing', async (store) => {
      const made = await exportLedger(store, cli.actor, write);
      if (made.recorded) io.err(`recorded checkpoint ${made.recorded.checkpoint.rootHash} over the whole ledger\n`);
      if (made.unverified) io.err(`ledger: ${made.unverified}; exporting with the latest checkpoint there is\n`);
      return made;
    });
    complete = true;
    if (out !== undefined) io.err(`exported ${made.events} events and the latest checkpoint to ${out}\n`);
  } finally {
    if (fd !== undefined) closeSync(fd);
    // half an export would read as one cut short: none is left
    if (!complete && fd !== undefined && out !== undefined) rmSync(out, { force: true });
  }
  return 0;
}

export function register(program: Command, cli: Cli): void {
  cliCommand(program, 'export')
    .description(
      'write the whole ledger as NDJSON: one event per line with its full envelope, in global order, then the latest checkpoint. ' +
        'Records a checkpoint first when events came after the latest one. Prove it with `ledger verify --file`',
    )
    .option('--out <file>', 'write to this file instead of stdout')
    .action((opts: ExportCommandOptions) => runAction(cli.io, () => runExport(opts, cli)));
}
