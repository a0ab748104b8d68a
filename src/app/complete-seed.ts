import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Ledger } from '../command-handling/ledger';
import type { ReadModel } from '../projections/read-model';
import { importSeedDir, readSeedDir, SEED_ACTOR, SeedFileError, type ImportReport } from '../seed/import';

/**
 * Seeding at start-up, run to completion on every start: a first start killed half-way (kill -9,
 * Ctrl-C) left part of the seed, and only an empty store used to be seeded, so the rest never came.
 * Import is idempotent (each entry is its own Idempotency-Key), so the missing entries are simply
 * recorded now. Only a ledger that began as a seeded one (or is empty) is seeded: a ledger started
 * with LEDGER_SEED_ON_START=false and filled by hand is left alone.
 */
export async function completeSeed(ledger: Ledger, projection: ReadModel, dir: string, logger?: Logger): Promise<ImportReport | undefined> {
  if (!existsSync(dir)) return undefined;
  const [first] = await ledger.store.readAll({ maxCount: 1 });
  if (first !== undefined && first.metadata.recordedBy !== SEED_ACTOR.id) return undefined;
  const files = readSeedDir(dir);
  const entries = files.reduce((n, f) => n + f.entries.length, 0);
  const missing = files.flatMap((f) => f.entries).filter((e) => projection.recordedWithKey(SEED_ACTOR.id, e.entry).length === 0);
  if (missing.length === 0) return { files: files.length, entries, recorded: 0, alreadyPresent: entries };
  try {
    const report = await importSeedDir(ledger, dir);
    const [last] = (await ledger.store.readAll({ after: projection.version().lastPosition ?? undefined })).slice(-1);
    if (last) await projection.waitFor(last.id);
    logger?.info({ seeded: report }, first === undefined ? 'first start: seed history imported' : 'an interrupted seeding completed');
    return report;
  } catch (error) {
    // seed files that no longer agree with what this ledger recorded must not keep the ledger from serving
    if (!(error instanceof SeedFileError)) throw error;
    logger?.error({ err: error }, 'the seed history could not be completed; the ledger is served as it is');
    return undefined;
  }
}
