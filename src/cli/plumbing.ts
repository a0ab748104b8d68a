import { CommanderError, type Command } from 'commander';
import { EXIT, exitCodeOf, UsageError } from './exit-codes';

/**
 * The CLI's plumbing, apart from what the commands do: where they write, the environment they
 * read, how a failure becomes an exit code and a line on stderr. Commands get it from the
 * composition root (src/app/compose-cli.ts) and never touch process.* themselves.
 */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** stderr is a terminal: progress may be drawn there */
  readonly tty?: boolean;
}

export const processIo: CliIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  env: process.env,
  tty: process.stderr.isTTY === true,
};

/** A command that exits 2 on every usage error, its own and commander's (a missing option, an unknown one). */
export function cliCommand(program: Command, name: string): Command {
  return program.command(name).exitOverride((error) => {
    throw error.exitCode === 1 ? new CommanderError(EXIT.usage, error.code, error.message) : error;
  });
}

/** Runs an action: usage errors are reported and exit 2, the action's result is the exit code; anything else goes up to runCli. */
export async function runAction(io: CliIo, action: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await action()) ?? EXIT.ok;
  } catch (error) {
    if (exitCodeOf(error) !== EXIT.usage || !(error instanceof Error)) throw error;
    io.err(`ledger: ${error.message}\n`);
    process.exitCode = EXIT.usage;
  }
}

/** Parses the command line and runs the command; any failure is one line on stderr and its exit code (exit-codes.ts). */
export async function runCli(program: Command, argv: readonly string[], io: CliIo): Promise<void> {
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    process.exitCode = exitCodeOf(error);
    // commander has already said what was wrong with the command line
    if (error instanceof CommanderError) return;
    io.err(`ledger: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

/** Reads a file named on the command line with `read`; one that cannot be opened is a usage error (exit 2). */
export function fromInputFile<T>(path: string, read: (path: string) => T): T {
  try {
    return read(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && ['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR'].includes(code)) throw new UsageError(`cannot read ${path}: ${code}`);
    throw error;
  }
}
