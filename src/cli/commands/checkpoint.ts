import type { Command } from 'commander';
import type { Cli } from '../../app/compose-cli';
import { checkpointLine } from '../../audit/export-file';
import { recordCheckpoint } from '../../audit/record-checkpoint';
import { cliCommand, runAction } from '../plumbing';

export interface CheckpointCommandOptions {
  readonly ifChanged?: boolean;
}

/** `ledger checkpoint`: records a checkpoint now and prints its line, for the auditor to keep. */
export function runCheckpoint(opts: CheckpointCommandOptions, cli: Cli): Promise<number> {
  return cli.withStore('existing', async (store) => {
    const { recorded, checkpoint } = await recordCheckpoint(store, { actor: cli.actor, onlyIfChanged: opts.ifChanged === true });
    if (!recorded) cli.io.err('nothing recorded since the latest checkpoint; here it is\n');
    cli.io.out(`${checkpointLine(checkpoint)}\n`);
    return 0;
  });
}

export function register(program: Command, cli: Cli): void {
  cliCommand(program, 'checkpoint')
    .description(
      'record a checkpoint now (a Merkle root over every stream head, RFC 6962) and print it as one JSON line: keep it, ' +
        'and `ledger verify --checkpoint <that file or its rootHash>` proves later that the ledger still holds all it covered',
    )
    .option('--if-changed', 'record nothing when no event came after the latest checkpoint')
    .action((opts: CheckpointCommandOptions) => runAction(cli.io, () => runCheckpoint(opts, cli)));
}
