import type { Command } from 'commander';
import type { Cli } from '../../app/compose-cli';
import { parseExport, verifyExport } from '../../audit/export-file';
import { readWholeLedger } from '../../audit/read-ledger';
import { parseUntil, replay, UNTIL_HELP, UnknownPositionError } from '../../audit/replay';
import type { StoredEvent } from '../../store/event-store';
import { EXIT, UsageError } from '../exit-codes';
import { cliCommand, readInputFile, runAction } from '../plumbing';

export interface ReplayCommandOptions {
  readonly until: string;
  readonly file?: string;
}

/** `ledger replay --until …`: every position at that point, replayed from event one, as JSON. */
export async function runReplay(opts: ReplayCommandOptions, cli: Cli): Promise<number> {
  const { io } = cli;
  const until = parseUntil(opts.until);
  if (!until) throw new UsageError(`--until ${opts.until}: not ${UNTIL_HELP}`);
  let events: StoredEvent[];
  if (opts.file !== undefined) {
    const text = readInputFile(opts.file);
    // a replay of an export that does not verify would show a history nobody recorded
    const verified = verifyExport(text);
    if (!verified.ok) {
      io.err(
        `ledger: ${opts.file} does not verify (${verified.problems.length} problem${verified.problems.length === 1 ? '' : 's'}; see \`ledger verify --file ${opts.file}\`): nothing replayed\n`,
      );
      return EXIT.problems;
    }
    events = parseExport(text).events;
  } else {
    events = await cli.withStore('read-only', (store) => readWholeLedger(store));
  }
  try {
    io.out(`${JSON.stringify(replay(events, until), null, 2)}\n`);
  } catch (error) {
    if (error instanceof UnknownPositionError) throw new UsageError(error.message);
    throw error;
  }
  return 0;
}

export function register(program: Command, cli: Cli): void {
  cliCommand(program, 'replay')
    .description('replay the ledger from event one and print the state of every position at a point in history, as JSON')
    .requiredOption('--until <when>', UNTIL_HELP)
    .option('--file <export.ndjson>', 'replay this export instead of the configured store (offline)')
    .action((opts: ReplayCommandOptions) => runAction(cli.io, () => runReplay(opts, cli)));
}
