import type { Command } from 'commander';
import type { AddressInfo } from 'node:net';
import { composeLedger, stopServing } from '../../app/compose';
import type { Cli } from '../../app/compose-cli';
import { cliCommand, runAction } from '../plumbing';

/** `ledger serve`: the HTTP server (the server's own composition root) until SIGTERM or SIGINT. */
export async function runServe(cli: Cli): Promise<number> {
  const config = cli.config();
  const logger = cli.logger();
  const ledger = await composeLedger(config, { logger });
  const server = ledger.app.listen(config.port, config.host);
  server.once('error', (error: NodeJS.ErrnoException) => {
    const why =
      error.code === 'EADDRINUSE'
        ? 'is already in use; set PORT to another one'
        : error.code === 'EACCES'
          ? 'may not be used by this user; set PORT'
          : `cannot be listened on (${error.code ?? error.message})`;
    cli.io.err(`ledger: port ${config.port} on ${config.host} ${why}\n`);
    process.exitCode = 1;
    void ledger.close();
  });
  server.once('listening', () => {
    const where = config.store.kind === 'sqlite' ? config.store.path : 'KurrentDB';
    const { port } = server.address() as AddressInfo;
    logger.info(
      `position-ledger serving http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port} (store: ${where}, ${ledger.projection.version().events} events)`,
    );
    if (config.tokens.size === 0) logger.warn('LEDGER_TOKENS is empty: reads work, writes and audit endpoints will answer 401');
  });
  // SIGTERM/SIGINT: no new requests, in-flight ones finish, the store is closed; all within 5 s
  // (connections still busy after 4 s are cut, and a stop that hangs anyway ends the process)
  const stop = (signal: NodeJS.Signals) => {
    logger.info(`${signal}: stopping`);
    setTimeout(() => server.closeAllConnections(), 4000).unref();
    setTimeout(() => {
      logger.error('did not stop within 5 s: exiting');
      process.exit(1);
    }, 5000).unref();
    void stopServing(server, ledger).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 0;
}

export function register(program: Command, cli: Cli): void {
  cliCommand(program, 'serve')
    .description('serve the ledger over HTTP (PORT, HOST, LEDGER_STORE, LEDGER_SQLITE_PATH, LEDGER_TOKENS, LEDGER_KEYS_PATH …); seeds an empty ledger first')
    .action(() => runAction(cli.io, () => runServe(cli)));
}
