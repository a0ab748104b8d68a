import { z } from 'zod';
import { EVENT_SCHEMAS, EVENT_SCHEMA_VERSION, type EventType } from './events';

export interface VersionedSchema {
  readonly schema: z.ZodType;
  readonly version: number;
}

/**
 * JSON Schema (2020-12) of each event's data, derived from its zod schema:
 * `events/schemas/<Type>.v<n>.schema.json`. Event types defined outside the domain (the auditors'
 * checkpoints) come in through `extra`, so the domain imports nothing from them.
 */
export function eventJsonSchemas(extra: Readonly<Record<string, VersionedSchema>> = {}): Record<string, unknown> {
  const domain = Object.fromEntries(
    (Object.keys(EVENT_SCHEMAS) as EventType[]).map((type) => [type, { schema: EVENT_SCHEMAS[type], version: EVENT_SCHEMA_VERSION[type] }]),
  );
  const out: Record<string, unknown> = {};
  for (const [type, { schema, version }] of Object.entries<VersionedSchema>({ ...domain, ...extra })) {
    out[`${type}.v${version}.schema.json`] = {
      $id: `urn:position-ledger:event:${type}:v${version}`,
      title: `${type} (schema version ${version})`,
      ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }),
    };
  }
  return out;
}
