import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { Slug } from '../domain/primitives';
import { TOTAL_CAP } from '../projections/read-model';
import { IdempotencyKey, IfMatch } from './validate';

/** The shapes and headers responses share, declared once for the route table. */

export const LedgerVersionSchema = z
  .object({
    version: z.number().int().meta({
      description:
        'recorded decisions (events of positions and documents; checkpoints are not counted): what to cite, and to pass as ?version= for a permalink',
    }),
    digest: z.string().nullable().meta({ description: 'running SHA-256 over those decisions’ hashes, in global order' }),
    events: z.number().int().meta({ description: 'every event the read model has read, checkpoints included (not for citing)' }),
    lastPosition: z.string().nullable(),
  })
  .meta({ id: 'LedgerVersion', description: 'the exact ledger state a response comes from' });

/** The shared shape of a paged list (positions, timeline). */
export const listPage = (items: 'positions' | 'entries', schema: z.ZodType) =>
  z.object({
    count: z.number().int().meta({ description: 'items in this page' }),
    total: z
      .number()
      .int()
      .meta({
        description: `every match, on all pages; counted up to ${TOTAL_CAP} (then \`totalCapped\` is true: at least this many match). The current positions without \`q\` are always counted exactly`,
      }),
    totalCapped: z.boolean().meta({ description: `true when more than ${TOTAL_CAP} match and \`total\` stopped counting there` }),
    next: z.string().nullable().meta({ description: 'cursor of the next page (pass it as `cursor`), null on the last' }),
    ledgerVersion: LedgerVersionSchema,
    [items]: z.array(schema),
  });

/** A list as JSON, or (format=csv|ndjson) every item as an export citing the ledger version. */
export const listOrExport = (description: string, page: z.ZodType): ResponseConfig => ({
  description: `${description}; with format=csv or ndjson every item, not paged, as an export that cites the ledger version (a citation column in CSV; a first line {kind: "position-ledger-export", ledgerVersion, citation} in NDJSON)`,
  headers: { 'Ledger-Version': { description: 'exports: the ledger version and digest, `57/3f9a…`', schema: { type: 'string' } } },
  content: {
    'application/json': { schema: page },
    'text/csv': { schema: z.string().meta({ description: 'RFC 4180 CSV with a header row' }) },
    'application/x-ndjson': { schema: z.string().meta({ description: 'one JSON object a line' }) },
  },
});

const idParam = (what: string, example: string) =>
  z.object({ id: Slug.meta({ description: `the ${what}'s id (lower-case letters, digits and single hyphens)`, example }) });
export const PositionParams = idParam('position', 'eu-4');
export const DocumentParams = idParam('document', 'political-recommendations');

export const etagHeader = {
  ETag: {
    description: 'the position’s stream revision, `"3"`: send it back as If-Match',
    required: true,
    schema: { type: 'string' as const, pattern: '^"\\d+"$' },
  },
};

/** What a successful write answers with, besides its body. */
export const recordedHeaders = {
  ...etagHeader,
  Location: { description: 'the URL of what was recorded', required: true, schema: { type: 'string' as const } },
  'Idempotent-Replayed': {
    description: '`true` when this is the first answer to an earlier request with the same Idempotency-Key (nothing new was recorded)',
    schema: { type: 'string' as const, enum: ['true'] },
  },
};

export const WriteHeaders = z.object({ 'idempotency-key': IdempotencyKey.optional() });
export const IfMatchRequired = WriteHeaders.extend({
  'if-match': IfMatch.meta({
    description: 'the position’s ETag (required, or 428): the write is refused (412) when someone recorded a change since',
    example: '"3"',
  }),
});
export const IfMatchOptional = WriteHeaders.extend({
  'if-match': IfMatch.optional().meta({ description: 'the position’s ETag, if the write must not follow a change recorded since (412)', example: '"3"' }),
});
