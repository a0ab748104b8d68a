import type { Command } from 'commander';
import type { Cli } from '../../app/compose-cli';
import { forEachPage } from '../../audit/read-ledger';
import { parseUntil, Replay, replayJson, UNTIL_HELP, UnknownPositionError, type ReplayResult } from '../../audit/replay';
import { verifyExportFile } from '../../audit/verify-export-file';
import { EXIT, UsageError } from '../exit-codes';
import { cliCommand, fromInputFile, runAction } from '../plumbing';

export interface ReplayCommandOptions {
  readonly until: string;
  readonly file?: string;
}

/** `ledger replay --until …`: every position at that point, replayed from event one, as JSON. */
export async function runReplay(opts: ReplayCommandOptions, cli: Cli): Promise<number> {
  const { io } = cli;
  const until = parseUntil(opts.until);
  if (!until) throw new UsageError(`--until ${opts.until}: not ${UNTIL_HELP}`);
  // fed a page or a line at a time: a ledger or an export of a million events is never held whole
  const replaying = new Replay(until);
  if (opts.file !== undefined) {
    // verified as it is replayed, and shown only if it verifies: a replay of an export that does not would show a history nobody recorded
    const verified = fromInputFile(opts.file, (path) => verifyExportFile(path, [], (e) => replaying.add(e)));
    if (!verified.ok) {
      io.err(
        `ledger: ${opts.file} does not verify (${verified.problems.length} problem${verified.problems.length === 1 ? '' : 's'}; see \`ledger verify --file ${opts.file}\`): nothing replayed\n`,
      );
      return EXIT.problems;
    }
  } else {
    await cli.withStore('read-only', (store) => forEachPage(store, (page) => page.forEach((e) => replaying.add(e))));
  }
  let result: ReplayResult;
  try {
    result = replaying.result();
  } catch (error) {
    if (error instanceof UnknownPositionError) throw new UsageError(error.message);
    throw error;
  }
  // written in pieces of about 64 KB: the whole would be longer than one string can be at a million events
  let pending = '';
  for (const piece of replayJson(result)) {
    pending += piece;
    if (pending.length >= 1 << 16) {
      io.out(pending);
      pending = '';
    }
  }
  io.out(`${pending}\n`);
  return 0;
}

export function register(program: Command, cli: Cli): void {
  cliCommand(program, 'replay')
    .description('replay the ledger from event one and print the state of every position at a point in history, as JSON')
    .requiredOption('--until <when>', UNTIL_HELP)
    .option('--file <export.ndjson>', 'replay this export instead of the configured store (offline)')
    .action((opts: ReplayCommandOptions) => runAction(cli.io, () => runReplay(opts, cli)));
}
