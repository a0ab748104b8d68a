import { Command } from 'commander';
import pino, { type Logger } from 'pino';
import { COMMANDS } from '../cli/commands';
import type { CliIo } from '../cli/plumbing';
import { processIo } from '../cli/plumbing';
import { progressBar, quietProgress, type Progress } from '../cli/progress';
import { Ledger } from '../command-handling/ledger';
import { KeyStore } from '../keys/key-store';
import type { EventStore } from '../store/event-store';
import type { SqliteAccess } from '../store/sqlite-store';
import { loadConfig, type Config } from './config';
import { openStore } from './open-store';

/**
 * What a CLI command may use, wired once here (as compose.ts wires the server): the configuration,
 * the stores, the ledger, the log and the progress bar. Command files only say what they do with them.
 */
export interface Cli {
  readonly io: CliIo;
  /** the configuration from the environment, read (and validated) on first use */
  config(): Config;
  /** a store opened for the duration of `use`, closed after whatever happens; the configured one unless another is named */
  withStore<T>(access: SqliteAccess, use: (store: EventStore) => Promise<T>, spec?: Config['store']): Promise<T>;
  /** the named keys' file (LEDGER_KEYS_PATH) open for the duration of `use`, closed after */
  withKeys<T>(access: 'create' | 'existing' | 'read-only', use: (keys: KeyStore) => T | Promise<T>): Promise<T>;
  /** the command handler over a store, with the configured rules */
  ledger(store: EventStore): Ledger;
  logger(): Logger;
  /** a progress bar on a terminal; nothing at all otherwise */
  progress(label: string): Progress;
  /** who records what a command records (checkpoints) */
  readonly actor: { readonly id: string };
}

/** Who records what the command line asks for (checkpoints). */
export const CLI_ACTOR = { id: 'ledger-cli' };

export function cliDependencies(io: CliIo): Cli {
  let config: Config | undefined;
  let logger: Logger | undefined;
  const cli: Cli = {
    io,
    actor: CLI_ACTOR,
    config: () => (config ??= loadConfig(io.env)),
    withStore: async (access, use, spec) => {
      const store = await openStore(spec ?? cli.config().store, access);
      try {
        return await use(store);
      } finally {
        await store.close();
      }
    },
    withKeys: async (access, use) => {
      const keys = KeyStore.open(cli.config().keysPath, access);
      try {
        return await use(keys);
      } finally {
        keys.close();
      }
    },
    ledger: (store) => new Ledger(store, { historyStart: cli.config().historyStart }),
    logger: () => (logger ??= pino({ level: cli.config().logLevel })),
    progress: (label) => (io.tty ? progressBar(label) : quietProgress),
  };
  return cli;
}

/** The CLI's composition root: the `ledger` program with every command registered on the same dependencies. */
export function composeCli(io: CliIo = processIo, cli: Cli = cliDependencies(io)): Command {
  const program = new Command('ledger')
    .description('position-ledger: the EUROCITIES migrant-integration positions, as an event-sourced ledger')
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program, cli);
  return program;
}
