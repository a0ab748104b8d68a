import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LedgerApp } from '../../src/app/compose';

/** A composed ledger served on a free port of 127.0.0.1. */
export async function listenLocally(ledger: LedgerApp): Promise<{ server: Server; url: string }> {
  const server = ledger.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A server for whole-ledger work: no seed, no rate limit, no periodic checkpoint to race the test's own jobs. */
export const QUIET_SERVER_ENV = {
  LEDGER_SEED_ON_START: 'false',
  LEDGER_RATE_LIMIT_PER_MINUTE: '0',
  LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0',
} as const;
