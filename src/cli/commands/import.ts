import type { Command } from 'commander';
import { loadConfig } from '../../app/config';
import { openStore } from '../../app/open-store';
import { Ledger } from '../../command-handling/ledger';
import { importSeedDir } from '../../seed/import';
import { progressBar } from '../progress';

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
        const bar = progressBar('import');
        const report = await importSeedDir(ledger, dir, (decided, total) => bar.update(decided, total)).finally(() => bar.stop());
        process.stdout.write(
          `imported ${dir}: ${report.entries} entries in ${report.files} files; ${report.recorded} recorded, ${report.alreadyPresent} already in the ledger\n`,
        );
      } finally {
        await store.close();
      }
    });
}
