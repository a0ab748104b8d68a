import type { Command } from 'commander';
import { loadConfig } from '../../app/config';
import { openStore } from '../../app/open-store';
import { checkpointLine } from '../../audit/export-file';
import { recordCheckpoint } from '../../audit/record-checkpoint';
import { auditCommand, processIo, runAction, type CliIo } from './verify';

/** Who records the checkpoints asked for on the command line. */
export const CLI_ACTOR = { id: 'ledger-cli' };

export interface CheckpointCommandOptions {
  readonly ifChanged?: boolean;
}

/** `ledger checkpoint`: records a checkpoint now and prints its line, for the auditor to keep. */
export async function runCheckpoint(opts: CheckpointCommandOptions, io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const store = await openStore(config.store, 'existing');
  try {
    const { recorded, checkpoint } = await recordCheckpoint(store, { actor: CLI_ACTOR, onlyIfChanged: opts.ifChanged === true });
    if (!recorded) io.err('nothing recorded since the latest checkpoint; here it is\n');
    io.out(`${checkpointLine(checkpoint)}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  auditCommand(program, 'checkpoint')
    .description(
      'record a checkpoint now (a Merkle root over every stream head, RFC 6962) and print it as one JSON line: keep it, ' +
        'and `ledger verify --checkpoint <that file or its rootHash>` proves later that the ledger still holds all it covered',
    )
    .option('--if-changed', 'record nothing when no event came after the latest checkpoint')
    .action((opts: CheckpointCommandOptions) => runAction(processIo, () => runCheckpoint(opts, processIo)));
}
