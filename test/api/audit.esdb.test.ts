import { esdbTarget, type EsdbTarget } from '../support/esdb-protocol-fake/target';
import { auditSuite } from './audit-suite';

// The auditors' API suite, unchanged, on the KurrentDB store: tamper evidence must hold on every store.
let target: EsdbTarget | undefined;
const ready = esdbTarget().then((t) => (target = t));
afterAll(async () => target?.stop());

auditSuite(process.env.ESDB_CONNECTION_STRING ? 'kurrentdb (real server)' : 'kurrentdb (protocol fake)', async () => {
  await ready;
  return target!.open();
});
