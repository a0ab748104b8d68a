import type { Command } from 'commander';
import type { Cli } from '../../app/compose-cli';
import { copyLedger, proveStores, walkChainsAside } from '../../migrate/copy';
import type { CopyProof } from '../../migrate/proof';
import { describeStore, parseStoreSpec } from '../../migrate/store-spec';
import { UsageError } from '../exit-codes';
import { cliCommand, runAction } from '../plumbing';

export interface MigrateCommandOptions {
  readonly from: string;
  readonly to: string;
  readonly verifyOnly?: boolean;
}

/** `ledger migrate`: copies the whole ledger from one store to another, then proves the copy. */
export async function runMigrate(opts: MigrateCommandOptions, cli: Cli): Promise<number> {
  const from = parseStoreSpec(opts.from);
  const to = parseStoreSpec(opts.to);
  if (JSON.stringify(from) === JSON.stringify(to)) throw new UsageError('--from and --to name the same store');
  const out = (line: string) => cli.io.out(`${line}\n`);
  const proof = await cli.withStore(
    'read-only',
    (source) =>
      cli.withStore(
        opts.verifyOnly ? 'read-only' : 'create',
        async (target) => {
          out(`migrate: ${describeStore(from)} -> ${describeStore(to)}`);
          // begun before the copy: the source's chains are walked on another core while this one copies
          const chains = walkChainsAside(source);
          if (!opts.verifyOnly) {
            const bar = cli.progress('migrate');
            const copy = await copyLedger(source, target, { onProgress: (p) => bar.update(p.copied + p.alreadyThere) }).finally(() => bar.stop());
            out(`copied ${copy.copied} events; ${copy.alreadyThere} were already in the target`);
          }
          return proveStores(source, target, chains);
        },
        to,
      ),
    from,
  );
  report(proof, out);
  if (!proof.ok) throw new Error(`the target does not hold the same ledger (${proof.problemCount} differences)`);
  return 0;
}

export function register(program: Command, cli: Cli): void {
  cliCommand(program, 'migrate')
    .description('copy the whole ledger from one store to another (SQLite <-> KurrentDB) and prove the copy; safe to run again after an interruption')
    .requiredOption('--from <store>', 'source: sqlite:<path> or esdb://host:2113?tls=false')
    .requiredOption('--to <store>', 'target: sqlite:<path> or esdb://… / esdb+discover://…')
    .option('--verify-only', 'copy nothing; only prove that the target holds the same ledger')
    .action((opts: MigrateCommandOptions) => runAction(cli.io, () => runMigrate(opts, cli)));
}

function report(proof: CopyProof, out: (line: string) => void): void {
  if (proof.ok) {
    out(
      `proof: identical: ${proof.events} events in ${proof.streams} streams, same ids, revisions, global order, data and metadata; ${proof.hashesVerified} hashes recomputed and chained`,
    );
    return;
  }
  out(`proof: ${proof.problemCount} differences${proof.problemCount > proof.problems.length ? ` (first ${proof.problems.length})` : ''}:`);
  for (const p of proof.problems) out(`  - ${p}`);
}
