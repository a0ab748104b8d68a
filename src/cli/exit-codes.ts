import { CommanderError } from 'commander';
import { ConfigError } from '../app/config';
import { KeyFileNotFoundError } from '../keys/key-store';
import { StoreNotFoundError, StoreNotWritableError } from '../store/sqlite-store';

/**
 * One exit-code scheme for every command: 0 ok; 1 problems found, or the work failed; 2 the command
 * was used wrongly or its input is missing (bad option, bad configuration, no ledger or file there).
 */
export const EXIT = { ok: 0, problems: 1, usage: 2 } as const;

/** A command used wrongly, or given input that is not there: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof StoreNotFoundError ||
    error instanceof StoreNotWritableError ||
    error instanceof KeyFileNotFoundError
  )
    return EXIT.usage;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return EXIT.usage;
  return EXIT.problems;
}
