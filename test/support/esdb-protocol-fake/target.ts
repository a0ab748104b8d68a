import { randomUUID } from 'node:crypto';
import { EsdbEventStore, type EsdbStoreOptions } from '../../../src/store/esdb-store';
import { KurrentDbProtocolFake } from './server';

/**
 * Where the KurrentDB tests run: the real server named by ESDB_CONNECTION_STRING when it is set
 * (`docker compose up -d kurrentdb`, then `ESDB_CONNECTION_STRING=esdb://127.0.0.1:2113?tls=false npm test`),
 * otherwise a protocol fake started for the test file.
 */
export interface EsdbTarget {
  readonly name: string;
  readonly connectionString: string;
  /** this test file's namespace: its streams are `<namespace><stream>`, and it sees no others */
  readonly namespace: string;
  open(options?: EsdbStoreOptions): EsdbEventStore;
  stop(): Promise<void>;
}

/**
 * Every test file writes under a namespace of its own, so that files running in parallel (jest's
 * workers) against one shared real server see only their own events: global order, counts and
 * ledger versions are then the file's own, as on a fresh fake.
 */
export async function esdbTarget(): Promise<EsdbTarget> {
  const namespace = `run${randomUUID().replace(/-/g, '').slice(0, 12)}-`;
  const real = process.env.ESDB_CONNECTION_STRING;
  if (real) {
    return {
      name: `KurrentDB at ${real}`,
      connectionString: real,
      namespace,
      open: (o) => EsdbEventStore.connect(real, { namespace, ...o }),
      stop: async () => undefined,
    };
  }
  const fake = await KurrentDbProtocolFake.start();
  return {
    name: 'KurrentDB protocol fake',
    connectionString: fake.connectionString,
    namespace,
    open: (o) => EsdbEventStore.connect(fake.connectionString, { namespace, ...o }),
    stop: () => fake.stop(),
  };
}
