import { DateTime } from 'luxon';
import { z } from 'zod';
import { BusinessDateText, parseBusinessDate } from '../domain/business-date';
import { AddresseeId, ThemeId } from '../domain/themes';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, searchTerms } from '../projections/read-model';
import { Status } from '../projections/stance';
import { Format } from './export-format';

/** An instant in recording time: an ISO date-time with an offset, or a date meaning the end of that day (UTC). */
// a date, or a date-time with seconds optional, milliseconds optional and an offset (Z or ±hh:mm)
const INSTANT_PATTERN =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d))?$/;

export const RecordedInstant = z
  .string()
  .regex(INSTANT_PATTERN, 'must be an ISO 8601 date-time with offset (2026-11-23T10:00:00Z) or a date (2026-11-23)')
  .refine((s) => toInstant(s) !== undefined, 'must be an ISO 8601 date-time with offset (2026-11-23T10:00:00Z) or a date (2026-11-23)')
  .meta({
    description:
      'what the ledger had recorded by this instant; a date means the end of that day, UTC. The server also refuses (400) a day the month does not have (2026-02-30).',
    example: '2026-11-23T10:00:00Z',
  });

export function toInstant(s: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const day = DateTime.fromISO(s, { zone: 'utc' });
    return day.isValid ? day.endOf('day').toISO()! : undefined;
  }
  if (!/[zZ]|[+-]\d{2}:?\d{2}$/.test(s)) return undefined;
  const t = DateTime.fromISO(s, { setZone: true });
  return t.isValid ? t.toUTC().toISO()! : undefined;
}

/** what the business-date pattern cannot say, repeated where a parameter's own description replaces the date's */
const DATE_ALSO = ' The server also refuses (400) a day the month does not have (2014-02-30) and an interval whose start is after its end.';

const asOf = BusinessDateText.optional().meta({
  description: 'business date: the stance as decided by the end of it ("2010", "2014-02", "2014-02-01").' + DATE_ALSO,
});

/** A ledger version as cited (`ledgerVersion.version`): the view as the ledger had recorded it then, the same answer forever. */
export const LedgerVersionParam = z.coerce
  .number()
  .int()
  .min(0)
  .max(1_000_000_000)
  .optional()
  // zod-to-openapi says a coerced optional number may be null: it may not
  .meta({
    type: 'integer',
    minimum: 0,
    maximum: 1_000_000_000,
    description:
      'ledger version (ledgerVersion.version of a response, or of a citation): the view as recorded at that version, a permalink; 404 beyond the current one',
    example: 57,
  } as Record<string, unknown>);

export const ViewQuery = z.strictObject({ asOf, recordedAsOf: RecordedInstant.optional(), version: LedgerVersionParam });

export const DocumentsQuery = z.strictObject({ version: LedgerVersionParam });

const q = z
  .string()
  .max(500)
  .refine((s) => searchTerms(s).length > 0, 'must contain at least one word')
  .refine((s) => searchTerms(s).length <= 20, 'may contain at most 20 words')
  .optional()
  .meta({ description: 'free text: every word must begin a word in the title, statement or source quote (case and accents ignored)', example: 'undocumented' });
/** what a pattern cannot say about `q` */
const Q_ALSO = ' The server also refuses (400) a text without a word (letters or digits) or with more than 20 words.';

/** The shared paging of every list: an opaque keyset cursor; exports (format=csv|ndjson) are whole and ignore it. */
const paging = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .meta({ description: `items per page (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}); exports are not paged` }),
  cursor: z
    .string()
    .min(1)
    .max(2000)
    .optional()
    .meta({ description: 'opaque: the `next` of the previous page. The server also refuses (400) a cursor it did not give out for this list.' }),
};

/** One document: `limit` and `cursor` page the positions citing it. */
export const DocumentQuery = z.strictObject({
  version: LedgerVersionParam,
  limit: paging.limit.meta({ description: `citing positions per page (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE})` }),
  cursor: paging.cursor.meta({
    description: 'opaque: the `citedByNext` of the previous page. The server also refuses (400) a cursor it did not give out for this list.',
  }),
});

export const PositionsQuery = z.strictObject({
  theme: ThemeId.optional(),
  addressee: AddresseeId.optional(),
  status: Status.optional(),
  q: q.meta({
    description:
      'free text over the title, statement and source quote of the text in force at asOf (as recorded by recordedAsOf): every word must begin a word (case and accents ignored).' +
      Q_ALSO,
    example: 'undocumented',
  }),
  asOf,
  recordedAsOf: RecordedInstant.optional(),
  version: LedgerVersionParam,
  ...paging,
  format: Format,
});

/** A range whose `from` lies wholly after its `to` is a mistake to say, not an empty answer. */
// zod runs an object's refinement even when a field failed: a date that does not parse is reported there, not here
const inBusinessOrder = (q: { from?: string; to?: string }) => {
  const from = q.from === undefined ? undefined : parseBusinessDate(q.from);
  const to = q.to === undefined ? undefined : parseBusinessDate(q.to);
  return from === undefined || to === undefined || from.earliest <= to.latest;
};
const reversed = { message: 'must not be before from (the range is reversed)', path: ['to'] };
const RANGE_ALSO = ' The server also refuses (400) a `to` that lies wholly before `from` (a reversed range).';

export const TimelineQuery = z
  .strictObject({
    from: BusinessDateText.optional().meta({ description: 'business date: where the range starts.' + DATE_ALSO }),
    to: BusinessDateText.optional().meta({ description: 'business date: where the range ends.' + DATE_ALSO + RANGE_ALSO }),
    theme: ThemeId.optional(),
    addressee: AddresseeId.optional().meta({ description: 'only decisions on positions addressed to it (as in force once the decision was taken)' }),
    q: q.meta({
      description:
        'free text over the title, statement and source quote each decision recorded: every word must begin a word (case and accents ignored).' + Q_ALSO,
      example: 'undocumented',
    }),
    recordedAsOf: RecordedInstant.optional(),
    version: LedgerVersionParam,
    ...paging,
    format: Format,
  })
  .refine(inBusinessOrder, reversed);

export const DiffQuery = z
  .strictObject({
    from: BusinessDateText.meta({ description: 'business date of the earlier text.' + DATE_ALSO }),
    to: BusinessDateText.optional().meta({ description: 'business date of the later text (default: current).' + DATE_ALSO + RANGE_ALSO }),
    recordedAsOf: RecordedInstant.optional(),
    version: LedgerVersionParam,
  })
  .refine(inBusinessOrder, reversed);

/** The paging of lists in the ledger's own order (events, the audit log): after a global position. */
const ledgerPaging = {
  after: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'opaque position from a previous page (`next`). The server also refuses (400) a position that is not one of this ledger.' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
};

export const EventsQuery = z.strictObject({
  ...ledgerPaging,
});

export function viewOf(q: { asOf?: string; recordedAsOf?: string; version?: number }): { asOf?: string; recordedAsOf?: string; version?: number } {
  return { asOf: q.asOf, recordedAsOf: q.recordedAsOf === undefined ? undefined : toInstant(q.recordedAsOf), version: q.version };
}

export const AuditLogQuery = z
  .strictObject({
    recordedBy: z.string().min(1).max(200).optional().meta({
      description: 'only events recorded by this identity (as shown in recordedBy, e.g. "secretariat/3f9a…" or "secretariat/plk_3f9a12bc4d5e (Ana López)")',
    }),
    name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/\S/, 'must not be blank')
      .optional()
      .meta({ description: 'only events recorded with a named key whose holder\'s name contains this (any case), e.g. "lópez"' }),
    from: RecordedInstant.optional().meta({
      description:
        'only events recorded at or after this instant (a date means the start of that day, UTC). The server also refuses (400) a day the month does not have.',
    }),
    to: RecordedInstant.optional().meta({
      description:
        'only events recorded at or before this instant (a date means the end of that day, UTC). The server also refuses (400) a day the month does not have.' +
        RANGE_ALSO,
    }),
    ...ledgerPaging,
  })
  .refine((q) => {
    const from = q.from === undefined ? undefined : startOfInstant(q.from);
    const to = q.to === undefined ? undefined : toInstant(q.to);
    return from === undefined || to === undefined || from <= to;
  }, reversed);

/** `from` of a recorded range: a date means the start of that day, UTC. */
export function startOfInstant(s: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00.000Z` : toInstant(s);
}

export const AuditVerifyQuery = z.strictObject({
  checkpoint: z
    .union([z.string().regex(/^[0-9a-f]{64}$/), z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(20)])
    .optional()
    .meta({ description: 'rootHash of a checkpoint you kept (repeatable): the ledger must still hold it and all it covered' }),
});
