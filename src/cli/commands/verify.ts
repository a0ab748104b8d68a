import { CommanderError, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../app/config';
import { openStore } from '../../app/open-store';
import { verifyExport } from '../../audit/export-file';
import { parseKeptCheckpoint } from '../../audit/kept-checkpoint';
import type { ProjectionSnapshot } from '../../audit/projection-snapshot';
import { readWholeLedger } from '../../audit/read-ledger';
import { fetchServerReadModel, ServerUnreachableError } from '../../audit/server-read-model';
import { reportLines } from '../../audit/report-text';
import { storeGuardProblems } from '../../audit/store-guards';
import { verifyLedger, type KeptCheckpoint, type VerifyProblem, type VerifyReport } from '../../audit/verify';
import { EXIT, exitCodeOf, UsageError } from '../exit-codes';

/** Where a command writes, and the environment it reads; process.stdout/err and process.env when run. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), env: process.env };

export { EXIT, UsageError } from '../exit-codes';

/** Makes an audit command exit 2 on every usage error, its own and commander's. */
export function auditCommand(program: Command, name: string): Command {
  return program.command(name).exitOverride((error) => {
    throw error.exitCode === 1 ? new CommanderError(EXIT.usage, error.code, error.message) : error;
  });
}

/** Runs an action: usage errors are reported and exit 2, the action's result is the exit code. */
export async function runAction(io: CliIo, action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (error) {
    if (exitCodeOf(error) !== EXIT.usage || !(error instanceof Error)) throw error;
    io.err(`ledger: ${error.message}\n`);
    process.exitCode = EXIT.usage;
  }
}

export interface VerifyCommandOptions {
  readonly file?: string;
  /** a running server whose read model is held to the rebuild */
  readonly server?: string;
  readonly checkpoint?: readonly string[];
  readonly json?: boolean;
}

/** `ledger verify`: 0 when the ledger (or the export) verifies, 1 with the problems, 2 on a usage error. */
export async function runVerify(opts: VerifyCommandOptions, io: CliIo): Promise<number> {
  const kept = keptCheckpoints(opts.checkpoint ?? []);
  let report: VerifyReport;
  let source: string;
  if (opts.file !== undefined) {
    report = verifyExport(readExport(opts.file), { kept });
    source = `${opts.file} (offline)`;
  } else {
    const config = loadConfig(io.env);
    const store = await openStore(config.store, 'read-only');
    try {
      let events = await readWholeLedger(store);
      let live: ProjectionSnapshot | undefined;
      if (opts.server !== undefined) {
        // held at the same state of the ledger: the server may be a write or two ahead of (or behind) this read
        live = await serverReadModel(opts.server);
        for (let attempt = 1; attempt <= 5 && live.version.events !== events.length; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          events = await readWholeLedger(store);
          live = await serverReadModel(opts.server);
        }
      }
      report = withProblems(verifyLedger(events, { kept, live }), storeGuardProblems(store));
      source = config.store.kind === 'sqlite' ? `sqlite:${config.store.path}` : 'KurrentDB';
    } finally {
      await store.close();
    }
  }
  io.out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${reportLines(report, source).join('\n')}\n`);
  return report.ok ? EXIT.ok : EXIT.problems;
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

export function readExport(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function keptCheckpoints(values: readonly string[]): KeptCheckpoint[] {
  return values.map((v) => {
    const kept = parseKeptCheckpoint(v, (path) => readFileSync(path, 'utf8'));
    if (typeof kept === 'string') throw new UsageError(kept);
    return kept;
  });
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command): void {
  auditCommand(program, 'verify')
    .description(
      'prove the ledger: recompute every hash and chain, check every checkpoint, rebuild every projection from event one ' +
        '(with --server, and compare it with the read model that server shows); ' +
        'with --file, prove an export offline (no database, no server). Exit 0 clean, 1 problems (each named at its event), 2 usage error',
    )
    .option('--file <export.ndjson>', 'verify this export instead of the configured store')
    .option('--server <url>', 'a running server on this ledger (http://127.0.0.1:3000): hold the read model it serves to the one rebuilt from event one')
    .option('--checkpoint <root-or-file>', 'a checkpoint you kept (its rootHash, or a file with `ledger checkpoint` output or an older export); repeatable', collect)
    .option('--json', 'print the report as JSON')
    .action((opts: VerifyCommandOptions) => runAction(processIo, () => runVerify(opts, processIo)));
}
