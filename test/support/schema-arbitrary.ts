import fc from 'fast-check';

/**
 * fast-check arbitraries for the values a JSON Schema (as an OpenAPI 3.1 document holds them)
 * allows: what a client reading only the document may send. Covers what zod-to-openapi emits:
 * $ref, type (or a list of types), enum, const, anyOf/oneOf, pattern, format uuid/date-time,
 * lengths, bounds, items, uniqueItems, properties/required. Examples in the schema are drawn
 * often, since they are the values a reader would try first (and they name existing data).
 */
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minProperties?: number;
  additionalProperties?: boolean | JsonSchema;
  example?: unknown;
  examples?: unknown[];
  description?: string;
};

/** `ascii`: free text is printable ASCII (what an HTTP header carries). */
export function schemaArbitrary(schema: JsonSchema, resolve: (ref: string) => JsonSchema, options: { ascii?: boolean } = {}): fc.Arbitrary<unknown> {
  const arb = (s: JsonSchema): fc.Arbitrary<unknown> => {
    if (s.$ref) return arb(resolve(s.$ref));
    const examples = [...(s.examples ?? []), ...(s.example === undefined ? [] : [s.example])];
    const base = plain(s);
    return examples.length ? fc.oneof({ arbitrary: fc.constantFrom(...examples), weight: 1 }, { arbitrary: base, weight: 2 }) : base;
  };
  const plain = (s: JsonSchema): fc.Arbitrary<unknown> => {
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    if (s.anyOf ?? s.oneOf) return fc.oneof(...(s.anyOf ?? s.oneOf)!.map(arb));
    if (s.allOf) {
      if (s.allOf.length !== 1) throw new Error('allOf of several schemas is not generated');
      return arb(s.allOf[0]!);
    }
    const types = Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type];
    if (types.length > 1) return fc.oneof(...types.map((type) => plain({ ...s, type })));
    switch (types[0]) {
      case 'string':
        return stringArbitrary(s, options.ascii ? 'grapheme-ascii' : 'grapheme');
      case 'integer':
        return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
      case 'number':
        return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const items = arb(s.items ?? {});
        const constraints = { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 4, (s.minItems ?? 0) + 4) };
        return s.uniqueItems ? fc.uniqueArray(items, { ...constraints, selector: (v) => JSON.stringify(v) }) : fc.array(items, constraints);
      }
      case 'object': {
        const properties = s.properties ?? {};
        const record = fc.record(Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, arb(v)])), { requiredKeys: (s.required ?? []) as never[] });
        const atLeast = s.minProperties ?? 0;
        return atLeast ? record.filter((r) => Object.keys(r).length >= atLeast) : record;
      }
      default:
        // an unconstrained schema: any JSON value
        return fc.jsonValue({ maxDepth: 2 });
    }
  };
  return arb(schema);
}

function stringArbitrary(s: JsonSchema, unit: 'grapheme' | 'grapheme-ascii'): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? Infinity;
  const fits = (v: string) => [...v].length >= min && [...v].length <= max;
  if (s.format === 'uuid') return fc.uuid();
  if (s.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.pattern !== undefined) {
    const full = new RegExp(s.pattern, 'u');
    // fast-check cannot generate from lookarounds: generate without them, keep what the whole pattern matches
    const generable = new RegExp(s.pattern.replace(/\(\?<?[=!](?:[^()\\]|\\.)*\)/g, ''), 'u');
    return fc.stringMatching(generable, { size: 'small' }).filter((v) => full.test(v) && fits(v));
  }
  return fc.string({ minLength: min, maxLength: Math.min(max, min + 40), unit });
}
