import { eventJsonSchemas } from '../domain/json-schemas';
import { Checkpoint, CHECKPOINT_SCHEMA_VERSION, CHECKPOINT_TYPE } from './checkpoint';

/** Every event type the ledger stores, the auditors' checkpoints included: what `npm run schemas` writes. */
export function ledgerJsonSchemas(): Record<string, unknown> {
  return eventJsonSchemas({ [CHECKPOINT_TYPE]: { schema: Checkpoint, version: CHECKPOINT_SCHEMA_VERSION } });
}
