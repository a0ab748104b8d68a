import type { Command } from 'commander';
import type { Cli } from '../../app/compose-cli';
import { importSeedDir } from '../../seed/import';
import { cliCommand, runAction } from '../plumbing';

/** `ledger import <dir>`: every entry of the seed files through the ledger's rules, all or nothing. */
export function runImport(dir: string, cli: Cli): Promise<number> {
  return cli.withStore('create', async (store) => {
    const bar = cli.progress('import');
    const report = await importSeedDir(cli.ledger(store), dir, (done, total) => bar.update(done, total)).finally(() => bar.stop());
    cli.io.out(
      `imported ${dir}: ${report.entries} entries in ${report.files} files; ${report.recorded} recorded, ${report.alreadyPresent} already in the ledger\n`,
    );
    return 0;
  });
}

export function register(program: Command, cli: Cli): void {
  cliCommand(program, 'import')
    .argument('<dir>', 'directory of seed files (*.json), e.g. events/')
    .description('record every command of the seed files through the ledger; entries already recorded are skipped')
    .action((dir: string) => runAction(cli.io, () => runImport(dir, cli)));
}
