import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { z } from 'zod';
import { sha256Hex } from '../integrity/event-hash';
import { IdempotencyKeyReusedError } from '../ledger/errors';
import type { Ledger } from '../ledger/ledger';
import { copyLedger } from '../migrate/copy';
import { SqliteEventStore } from '../store/sqlite-store';
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
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
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
 * Records every entry through the ledger, so seeds obey the same rules as the API. Entries already
 * recorded (same entry id and content) are recognised and skipped, so import is idempotent. All or
 * nothing: the import is first rehearsed on an in-memory copy of the ledger, so an entry that
 * breaks a rule is reported before anything is recorded, not after half a file.
 */
export async function importSeedDir(ledger: Ledger, dir: string, onEntry?: (entry: SeedEntry, recorded: boolean) => void): Promise<ImportReport> {
  const files = readSeedDir(dir);
  await rehearse(ledger, files);
  return recordFiles(ledger, files, onEntry);
}

async function rehearse(ledger: Ledger, files: readonly { file: string; entries: SeedEntry[] }[]): Promise<void> {
  const scratch = new SqliteEventStore(':memory:');
  try {
    await copyLedger(ledger.store, scratch);
    await recordFiles(ledger.on(scratch), files);
  } finally {
    await scratch.close();
  }
}

async function recordFiles(ledger: Ledger, files: readonly { file: string; entries: SeedEntry[] }[], onEntry?: (entry: SeedEntry, recorded: boolean) => void): Promise<ImportReport> {
  let recorded = 0;
  let alreadyPresent = 0;
  let entries = 0;
  for (const { file, entries: list } of files) {
    for (const entry of list) {
      entries += 1;
      try {
        const result = await ledger.execute(commandOf(entry), SEED_ACTOR, { idempotencyKey: entry.entry, requestHash: requestHashOf(entry) });
        if (result.replayed) alreadyPresent += 1;
        else recorded += 1;
        onEntry?.(entry, !result.replayed);
      } catch (error) {
        const why =
          error instanceof IdempotencyKeyReusedError
            ? 'it was imported before with different content; the ledger never edits: record a correction or a revision instead'
            : (error as Error).message;
        throw new SeedFileError(`${file}: entry "${entry.entry}": ${why}`);
      }
    }
  }
  return { files: files.length, entries, recorded, alreadyPresent };
}

function requestHashOf(entry: SeedEntry): string {
  return sha256Hex(canonicalize(entry) ?? '');
}
