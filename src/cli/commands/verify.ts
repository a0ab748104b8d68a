import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { Cli } from '../../app/compose-cli';
import { verifyExportFile } from '../../audit/verify-export-file';
import { parseKeptCheckpoint } from '../../audit/kept-checkpoint';
import { readWholeLedger } from '../../audit/read-ledger';
import { fetchServerReadModel, ServerUnreachableError } from '../../audit/server-read-model';
import { reportLines } from '../../audit/report-text';
import { storeGuardProblems } from '../../audit/store-guards';
import { verifyLedger, type KeptCheckpoint, type VerifyProblem, type VerifyReport } from '../../audit/verify';
import { EXIT, UsageError } from '../exit-codes';
import { comparisonNote, TablesRebuiltBeside, type OnDiskComparison } from '../../projections/read-store/rebuilt-beside';
import type { EventStore, StoredEvent } from '../../store/event-store';
import type { ProjectionSnapshot } from '../../audit/projection-snapshot';
import { verifyStore, type StoreVerification } from '../../audit/verify-store';
import { cliCommand, fromInputFile, runAction } from '../plumbing';

export interface VerifyCommandOptions {
  readonly file?: string;
  /** a running server whose read model is held to the rebuild */
  readonly server?: string;
  readonly checkpoint?: readonly string[];
  readonly json?: boolean;
}

/** `ledger verify`: 0 when the ledger (or the export) verifies, 1 with the problems, 2 on a usage error. */
export async function runVerify(opts: VerifyCommandOptions, cli: Cli): Promise<number> {
  const { io } = cli;
  const kept = keptCheckpoints(opts.checkpoint ?? []);
  let report: VerifyReport;
  let source: string;
  let readStoreNote = '';
  if (opts.file !== undefined) {
    report = fromInputFile(opts.file, (path) => verifyExportFile(path, kept));
    source = `${opts.file} (offline)`;
  } else {
    const config = cli.config();
    report = await cli.withStore('read-only', async (store) => {
      if (opts.server !== undefined) {
        const { report, readStore } = await verifyWithServer(store, opts.server, config.readModelDir, kept);
        readStoreNote = comparisonNote(readStore, report.events);
        return report;
      }
      // the read store on disk, table by table, against one rebuilt from the events it has applied
      const { report, readStore } = await verifyStore(store, TablesRebuiltBeside.forDirectory(config.readModelDir), kept);
      readStoreNote = comparisonNote(readStore, report.events);
      // the projections were rebuilt from event one either way; the live read model compared is the one on disk, named in the note
      return { ...report, projection: 'rebuilt from event one' };
    });
    source = config.store.kind === 'sqlite' ? `sqlite:${config.store.path}` : 'KurrentDB';
  }
  io.out(
    opts.json
      ? `${JSON.stringify(readStoreNote ? { ...report, readStore: readStoreNote } : report, null, 2)}\n`
      : `${[...reportLines(report, source), ...(readStoreNote ? [readStoreNote] : [])].join('\n')}\n`,
  );
  return report.ok ? EXIT.ok : EXIT.problems;
}

/**
 * With --server: the read model that server shows, held to projections rebuilt in memory from the
 * events at the same state of the ledger (the server may be a write or two ahead of, or behind, this read).
 */
async function verifyWithServer(store: EventStore, url: string, readModelDir: string, kept: readonly KeptCheckpoint[]): Promise<StoreVerification> {
  // the read store on disk too, as without --server: pinned first, so the ledger read after holds every event it applied
  const beside = TablesRebuiltBeside.forDirectory(readModelDir);
  let events: StoredEvent[];
  let live: ProjectionSnapshot;
  let readStore: OnDiskComparison;
  try {
    events = await readWholeLedger(store);
    live = await serverReadModel(url);
    for (let attempt = 1; attempt <= 5 && live.version.events !== events.length; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      events = await readWholeLedger(store);
      live = await serverReadModel(url);
    }
    beside.add(events);
    readStore = beside.finish();
  } finally {
    beside.close();
  }
  const tables = readStore.problems.map((problem) => ({ check: 'projection' as const, problem }));
  return { report: withProblems(verifyLedger(events, { kept, live }), [...storeGuardProblems(store), ...tables]), readStore };
}

async function serverReadModel(url: string): Promise<ProjectionSnapshot> {
  try {
    return await fetchServerReadModel(url);
  } catch (error) {
    if (error instanceof ServerUnreachableError || error instanceof TypeError) throw new UsageError(`--server ${url}: ${error.message}`);
    throw error;
  }
}

function withProblems(report: VerifyReport, more: readonly VerifyProblem[]): VerifyReport {
  const problems = [...more, ...report.problems];
  return { ...report, ok: problems.length === 0, problems };
}

function keptCheckpoints(values: readonly string[]): KeptCheckpoint[] {
  return values.map((v) => {
    const kept = parseKeptCheckpoint(v, (path) => readFileSync(path, 'utf8'));
    if (typeof kept === 'string') throw new UsageError(kept);
    return kept;
  });
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command, cli: Cli): void {
  cliCommand(program, 'verify')
    .description(
      'prove the ledger: recompute every hash and chain, check every checkpoint, rebuild every projection from event one ' +
        '(with --server, and compare it with the read model that server shows); ' +
        'with --file, prove an export offline (no database, no server). Exit 0 clean, 1 problems (each named at its event), 2 usage error',
    )
    .option('--file <export.ndjson>', 'verify this export instead of the configured store')
    .option('--server <url>', 'a running server on this ledger (http://127.0.0.1:3000): hold the read model it serves to the one rebuilt from event one')
    .option(
      '--checkpoint <root-or-file>',
      'a checkpoint you kept (its rootHash, or a file with `ledger checkpoint` output or an older export); repeatable',
      collect,
    )
    .option('--json', 'print the report as JSON')
    .action((opts: VerifyCommandOptions) => runAction(cli.io, () => runVerify(opts, cli)));
}
