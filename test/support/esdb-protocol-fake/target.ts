import { EsdbEventStore } from '../../../src/store/esdb-store';
import { KurrentDbProtocolFake } from './server';

/**
 * Where the KurrentDB tests run: the real server named by ESDB_CONNECTION_STRING when it is set
 * (`docker compose up -d kurrentdb`, then `ESDB_CONNECTION_STRING=esdb://127.0.0.1:2113?tls=false npm test`),
 * otherwise a protocol fake started for the test file.
 */
export interface EsdbTarget {
  readonly name: string;
  readonly connectionString: string;
  open(): EsdbEventStore;
  stop(): Promise<void>;
}

export async function esdbTarget(): Promise<EsdbTarget> {
  const real = process.env.ESDB_CONNECTION_STRING;
  if (real) {
    return { name: `KurrentDB at ${real}`, connectionString: real, open: () => EsdbEventStore.connect(real), stop: async () => undefined };
  }
  const fake = await KurrentDbProtocolFake.start();
  return {
    name: 'KurrentDB protocol fake',
    connectionString: fake.connectionString,
    open: () => EsdbEventStore.connect(fake.connectionString),
    stop: () => fake.stop(),
  };
}
