import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
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
  const text = await cli.withStore('existing', async (store) => {
    const made = await exportLedger(store, cli.actor);
    if (made.recorded) io.err(`recorded checkpoint ${made.recorded.checkpoint.rootHash} over the whole ledger\n`);
    if (made.unverified) io.err(`ledger: ${made.unverified}; exporting with the latest checkpoint there is\n`);
    return made.text;
  });
  if (opts.out === undefined) io.out(text);
  else {
    try {
      writeFileSync(opts.out, text);
    } catch (error) {
      throw new UsageError(`cannot write ${opts.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const lines = text.split('\n').length - 1;
    io.err(`exported ${lines - 1} events and the latest checkpoint to ${opts.out}\n`);
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
