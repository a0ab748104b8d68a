import type { Command } from 'commander';
import { loadConfig } from '../../app/config';
import { openStore } from '../../app/open-store';
import { Ledger } from '../../command-handling/ledger';
import { importSeedDir } from '../../seed/import';

export function register(program: Command): void {
  program
    .command('import')
    .argument('<dir>', 'directory of seed files (*.json), e.g. events/')
    .description('record every command of the seed files through the ledger; entries already recorded are skipped')
    .action(async (dir: string) => {
      const config = loadConfig();
      const store = await openStore(config.store);
      try {
        const ledger = new Ledger(store, { historyStart: config.historyStart });
        const report = await importSeedDir(ledger, dir);
        process.stdout.write(
          `imported ${dir}: ${report.entries} entries in ${report.files} files; ${report.recorded} recorded, ${report.alreadyPresent} already in the ledger\n`,
        );
      } finally {
        await store.close();
      }
    });
}
