import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { canonicalJson, sha256Hex } from '../integrity/event-hash';
import { BulkCommandError } from '../command-handling/command-handler';
import { IdempotencyKeyReusedError } from '../command-handling/errors';
import type { Ledger } from '../command-handling/ledger';
import { commandOf, SeedFile, type SeedEntry } from './seed-file';

export const SEED_ACTOR = { id: 'ledger-seed' };

export interface ImportReport {
  readonly files: number;
  readonly entries: number;
  readonly recorded: number;
  readonly alreadyPresent: number;
}

export class SeedFileError extends Error {
  override name = 'SeedFileError';
}

/** Reads and validates every *.json file of a directory (all of them before anything is recorded). */
export function readSeedDir(dir: string): { file: string; entries: SeedEntry[] }[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.map((file) => {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (error) {
      throw new SeedFileError(`${file}: not valid JSON: ${(error as Error).message}`);
    }
    const parsed = SeedFile.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new SeedFileError(`${file}: entry ${issue.path.join('.')}: ${issue.message} (${z.prettifyError(parsed.error).split('\n').length} problem(s))`);
    }
    return { file, entries: parsed.data };
  });
}

/**
 * Records every entry through the ledger's rules (the same deciders as the API). All or nothing:
 * every entry is decided in memory first, each on the state the ones before it left, and only
 * then are they all appended, in one transaction on SQLite; an entry that breaks a rule late in a
 * file leaves the ledger as it was. Entries already recorded (same entry id and content) are
 * recognised by their idempotency key and skipped, so import is safe to run again.
 */
export async function importSeedDir(ledger: Ledger, dir: string, onProgress?: (decided: number, total: number) => void): Promise<ImportReport> {
  const files = readSeedDir(dir);
  const entries = files.flatMap(({ file, entries: list }) => list.map((entry) => ({ file, entry })));
  let outcomes: { replayed: boolean }[];
  try {
    outcomes = await ledger.executeAll(
      entries.map(({ entry }) => ({
        command: commandOf(entry),
        actor: SEED_ACTOR,
        options: { idempotencyKey: entry.entry, requestHash: requestHashOf(entry) },
      })),
      onProgress && ((decided) => onProgress(decided, entries.length)),
    );
  } catch (error) {
    const at = error instanceof BulkCommandError ? entries[error.index] : undefined;
    if (!at) throw error;
    const cause = (error as BulkCommandError).cause;
    const why =
      cause instanceof IdempotencyKeyReusedError
        ? 'it was imported before with different content; the ledger never edits: record a correction or a revision instead'
        : (cause as Error).message;
    throw new SeedFileError(`${at.file}: entry "${at.entry.entry}": ${why}`);
  }
  const alreadyPresent = outcomes.filter((o) => o.replayed).length;
  return { files: files.length, entries: entries.length, recorded: entries.length - alreadyPresent, alreadyPresent };
}

function requestHashOf(entry: SeedEntry): string {
  return sha256Hex(canonicalJson(entry) ?? '');
}
