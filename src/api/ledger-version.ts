import type { LedgerVersion } from '../projections/ledger-projection';
import type { ReadModel } from '../projections/read-model';
import { ProblemError } from './problem';

/**
 * The ledger version a read answers at: the current one, or the cited `version` (a permalink).
 * A version the ledger has not reached is not a view of anything yet: 404 naming `version`.
 */
export function versionOfView(readModel: Pick<ReadModel, 'version'>, version: number | undefined): LedgerVersion {
  const current = readModel.version();
  if (version === undefined) return current;
  if (version > current.version) {
    throw new ProblemError(
      404,
      'version-not-recorded',
      'Not found',
      `ledger version ${version} is not recorded: the ledger is at version ${current.version}`,
      'version',
    );
  }
  return readModel.version(version);
}
