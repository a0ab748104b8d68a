import { z } from 'zod';
import { EVENT_SCHEMAS, EVENT_SCHEMA_VERSION, type EventType } from './events';

/** JSON Schema (2020-12) of each event's data, derived from its zod schema: `events/schemas/<Type>.v<n>.schema.json`. */
export function eventJsonSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const type of Object.keys(EVENT_SCHEMAS) as EventType[]) {
    const version = EVENT_SCHEMA_VERSION[type];
    out[`${type}.v${version}.schema.json`] = {
      $id: `urn:position-ledger:event:${type}:v${version}`,
      title: `${type} (schema version ${version})`,
      ...z.toJSONSchema(EVENT_SCHEMAS[type], { target: 'draft-2020-12', io: 'input' }),
    };
  }
  return out;
}
