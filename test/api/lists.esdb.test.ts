import { esdbTarget, type EsdbTarget } from '../support/esdb-protocol-fake/target';
import { listSuite } from './lists-suite';

let target: EsdbTarget | undefined;
const ready = esdbTarget().then((t) => (target = t));
afterAll(async () => target?.stop());

listSuite(process.env.ESDB_CONNECTION_STRING ? 'kurrentdb (real server)' : 'kurrentdb (protocol fake)', async () => {
  await ready;
  return target!.open();
});
