import type { Command } from 'commander';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { composeLedger, stopServing } from '../../app/compose';
import { loadConfig } from '../../app/config';

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the ledger over HTTP (PORT, HOST, LEDGER_STORE, LEDGER_SQLITE_PATH, LEDGER_TOKENS …); seeds an empty ledger first')
    .action(async () => {
      const config = loadConfig();
      const logger = pino({ level: config.logLevel });
      const ledger = await composeLedger(config, { logger });
      const server = ledger.app.listen(config.port, config.host);
      server.once('error', (error: NodeJS.ErrnoException) => {
        const why = error.code === 'EADDRINUSE' ? 'is already in use; set PORT to another one' : error.code === 'EACCES' ? 'may not be used by this user; set PORT' : `cannot be listened on (${error.code ?? error.message})`;
        process.stderr.write(`ledger: port ${config.port} on ${config.host} ${why}\n`);
        process.exitCode = 1;
        void ledger.close();
      });
      server.once('listening', () => {
        const where = config.store.kind === 'sqlite' ? config.store.path : 'KurrentDB';
        const { port } = server.address() as AddressInfo;
        logger.info(`position-ledger serving http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port} (store: ${where}, ${ledger.projection.version().events} events)`);
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
    });
}
