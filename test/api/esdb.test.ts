import { esdbTarget, type EsdbTarget } from '../support/esdb-protocol-fake/target';
import { apiSuite } from './suite';

// The HTTP API suite, unchanged, on the KurrentDB store: the protocol fake, or a real server when ESDB_CONNECTION_STRING is set.
let target: EsdbTarget | undefined;
const ready = esdbTarget().then((t) => (target = t));
afterAll(async () => target?.stop());

apiSuite(process.env.ESDB_CONNECTION_STRING ? 'kurrentdb (real server)' : 'kurrentdb (protocol fake)', async () => {
  await ready;
  return target!.open();
});
