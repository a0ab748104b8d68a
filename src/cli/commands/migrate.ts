import type { Command } from 'commander';
import { openStore } from '../../app/open-store';
import { copyLedger, proveStores } from '../../migrate/copy';
import type { CopyProof } from '../../migrate/proof';
import { describeStore, parseStoreSpec } from '../../migrate/store-spec';
import { UsageError } from '../exit-codes';
import { progressBar } from '../progress';

export function register(program: Command): void {
  program
    .command('migrate')
    .description('copy the whole ledger from one store to another (SQLite <-> KurrentDB) and prove the copy; safe to run again after an interruption')
    .requiredOption('--from <store>', 'source: sqlite:<path> or esdb://host:2113?tls=false')
    .requiredOption('--to <store>', 'target: sqlite:<path> or esdb://… / esdb+discover://…')
    .option('--verify-only', 'copy nothing; only prove that the target holds the same ledger')
    .action(async (opts: { from: string; to: string; verifyOnly?: boolean }) => {
      const from = parseStoreSpec(opts.from);
      const to = parseStoreSpec(opts.to);
      if (JSON.stringify(from) === JSON.stringify(to)) throw new UsageError('--from and --to name the same store');
      const source = await openStore(from, 'read-only');
      try {
        const target = await openStore(to, opts.verifyOnly ? 'read-only' : 'create');
        try {
          const out = (line: string) => process.stdout.write(`${line}\n`);
          out(`migrate: ${describeStore(from)} -> ${describeStore(to)}`);
          if (!opts.verifyOnly) {
            const bar = progressBar('migrate');
            const copy = await copyLedger(source, target, { onProgress: (p) => bar.update(p.copied + p.alreadyThere) }).finally(() => bar.stop());
            out(`copied ${copy.copied} events; ${copy.alreadyThere} were already in the target`);
          }
          const proof = await proveStores(source, target);
          report(proof, out);
          if (!proof.ok) throw new Error(`the target does not hold the same ledger (${proof.problemCount} differences)`);
        } finally {
          await target.close();
        }
      } finally {
        await source.close();
      }
    });
}

function report(proof: CopyProof, out: (line: string) => void): void {
  if (proof.ok) {
    out(`proof: identical: ${proof.events} events in ${proof.streams} streams, same ids, revisions, global order, data and metadata; ${proof.hashesVerified} hashes recomputed and chained`);
    return;
  }
  out(`proof: ${proof.problemCount} differences${proof.problemCount > proof.problems.length ? ` (first ${proof.problems.length})` : ''}:`);
  for (const p of proof.problems) out(`  - ${p}`);
}
