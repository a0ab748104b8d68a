import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ledgerJsonSchemas } from '../../src/audit/json-schemas';

const DIR = join(__dirname, '../../events/schemas');

describe('the JSON Schemas in events/schemas', () => {
  it('are exactly what the zod schemas generate (run `npm run schemas` after changing an event)', () => {
    const generated = ledgerJsonSchemas();
    expect(readdirSync(DIR).sort()).toEqual(Object.keys(generated).sort());
    for (const [file, schema] of Object.entries(generated)) {
      expect(JSON.parse(readFileSync(join(DIR, file), 'utf8'))).toEqual(schema);
    }
  });

  it('keep the rules of the zod schemas: required fields, no unknown fields', () => {
    const schema = ledgerJsonSchemas()['PositionAdded.v2.schema.json'] as {
      $ref: string;
      $defs: Record<string, { required: string[]; additionalProperties: boolean }>;
    };
    expect(schema.$ref).toBe('#/$defs/PositionAdded');
    const added = schema.$defs.PositionAdded!;
    expect(added.required).toEqual(expect.arrayContaining(['positionId', 'statement', 'decidedOn', 'source']));
    expect(added.additionalProperties).toBe(false);
  });
});
