import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../app/config';
import { openStore } from '../../app/open-store';
import { exportLines } from '../../audit/export-file';
import { readWholeLedger } from '../../audit/read-ledger';
import { recordCheckpoint, UnverifiedLedgerError } from '../../audit/record-checkpoint';
import { CLI_ACTOR } from './checkpoint';
import { auditCommand, processIo, runAction, UsageError, type CliIo } from './verify';

export interface ExportCommandOptions {
  readonly out?: string;
  /** commander's --no-checkpoint */
  readonly checkpoint?: boolean;
}

/** `ledger export`: the whole ledger as NDJSON in global order, ending with the latest checkpoint. */
export async function runExport(opts: ExportCommandOptions, io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const store = await openStore(config.store);
  let text: string;
  try {
    if (opts.checkpoint !== false) {
      try {
        const { recorded, checkpoint } = await recordCheckpoint(store, { actor: CLI_ACTOR, onlyIfChanged: true });
        if (recorded) io.err(`recorded checkpoint ${checkpoint?.checkpoint.rootHash ?? '?'} over the whole ledger\n`);
      } catch (error) {
        if (!(error instanceof UnverifiedLedgerError)) throw error;
        io.err(`ledger: ${error.message}; exporting with the latest checkpoint there is\n`);
      }
    }
    text = [...exportLines(await readWholeLedger(store))].join('');
  } finally {
    await store.close();
  }
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

export function register(program: Command): void {
  auditCommand(program, 'export')
    .description(
      'write the whole ledger as NDJSON: one event per line with its full envelope, in global order, then the latest checkpoint. ' +
        'Records a checkpoint first when events came after the latest one (unless --no-checkpoint). Prove it with `ledger verify --file`',
    )
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--no-checkpoint', 'record no checkpoint first; end with the latest one there is')
    .action((opts: ExportCommandOptions) => runAction(processIo, () => runExport(opts, processIo)));
}
