import { esdbTarget, type EsdbTarget } from '../support/esdb-protocol-fake/target';
import { eventStoreContract } from './contract';

// The contract suite, unchanged, over gRPC: against the protocol fake, or a real KurrentDB when ESDB_CONNECTION_STRING is set.
let target: EsdbTarget | undefined;
const ready = esdbTarget().then((t) => (target = t));
afterAll(async () => target?.stop());

eventStoreContract(
  process.env.ESDB_CONNECTION_STRING ? 'kurrentdb (real server)' : 'kurrentdb (protocol fake)',
  async () => {
    await ready;
    return target!.open();
  },
  { uniqueIdsAcrossStreams: false },
);
