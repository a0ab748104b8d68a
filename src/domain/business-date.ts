import { DateTime } from 'luxon';
import { z } from 'zod';

/**
 * Business dates are EDTF-style strings ("2006", "2014-01", "2014-01-21", or an interval "A/B")
 * so that a source that gives only a year or a window is recorded as exactly that, never as an
 * invented day. Every comparison uses the latest day the decision can have been taken on
 * ("decided no later than"), which gives one total order for timelines, as-of views and
 * invariants alike; the earliest day is kept for bounds checks and display.
 */
export const BUSINESS_ZONE = 'Europe/Brussels';

export type Precision = 'year' | 'month' | 'day' | 'interval';

export interface BusinessDate {
  readonly text: string;
  readonly precision: Precision;
  /** earliest possible day, ISO yyyy-mm-dd */
  readonly earliest: string;
  /** latest possible day, ISO yyyy-mm-dd: the sort key */
  readonly latest: string;
}

const POINT = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

function parsePoint(text: string): { precision: Exclude<Precision, 'interval'>; earliest: DateTime; latest: DateTime } | undefined {
  const m = POINT.exec(text);
  if (!m) return undefined;
  const [, y, mo, d] = m;
  const opts = { zone: BUSINESS_ZONE };
  if (d !== undefined) {
    const day = DateTime.fromObject({ year: +y!, month: +mo!, day: +d }, opts);
    return day.isValid ? { precision: 'day', earliest: day, latest: day } : undefined;
  }
  if (mo !== undefined) {
    const month = DateTime.fromObject({ year: +y!, month: +mo }, opts);
    return month.isValid ? { precision: 'month', earliest: month, latest: month.endOf('month') } : undefined;
  }
  const year = DateTime.fromObject({ year: +y! }, opts);
  return year.isValid ? { precision: 'year', earliest: year, latest: year.endOf('year') } : undefined;
}

// Dates repeat (a handful of distinct values across the whole ledger) and every sort compares them:
// parsing each distinct text once keeps folds cheap. Bounded, so arbitrary input cannot grow it.
const parsed = new Map<string, BusinessDate | undefined>();

export function parseBusinessDate(text: string): BusinessDate | undefined {
  if (parsed.has(text)) return parsed.get(text);
  const result = parse(text);
  if (parsed.size < 10_000) parsed.set(text, result);
  return result;
}

function parse(text: string): BusinessDate | undefined {
  const parts = text.split('/');
  if (parts.length === 1) {
    const p = parsePoint(text);
    return p && { text, precision: p.precision, earliest: p.earliest.toISODate()!, latest: p.latest.toISODate()! };
  }
  if (parts.length !== 2) return undefined;
  const from = parsePoint(parts[0]!);
  const to = parsePoint(parts[1]!);
  if (!from || !to || to.latest < from.earliest) return undefined;
  return { text, precision: 'interval', earliest: from.earliest.toISODate()!, latest: to.latest.toISODate()! };
}

/** Parses a string already validated by {@link BusinessDateText}. */
export function businessDate(text: string): BusinessDate {
  const parsed = parseBusinessDate(text);
  if (!parsed) throw new TypeError(`not a business date: ${text}`);
  return parsed;
}

const POINT_PATTERN = '\\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\\d|3[01]))?)?';
/** The grammar as a pattern, so that JSON Schema and OpenAPI say it; what a pattern cannot say (a real calendar day, an interval in order) the refinement adds. */
export const BUSINESS_DATE_PATTERN = new RegExp(`^${POINT_PATTERN}(?:/${POINT_PATTERN})?$`);
const BUSINESS_DATE_MESSAGE = 'must be a date as YYYY, YYYY-MM, YYYY-MM-DD, or an interval A/B of those (a real calendar date, A not after B)';

export const BusinessDateText = z
  .string()
  .regex(BUSINESS_DATE_PATTERN, BUSINESS_DATE_MESSAGE)
  .refine((s) => parseBusinessDate(s) !== undefined, { message: BUSINESS_DATE_MESSAGE })
  .meta({
    description:
      'Business date with its true precision (EDTF subset): "2006", "2014-01", "2014-01-21" or an interval such as "2011-07-20/2014-01-21". ' +
      'The server also refuses (400) a day the month does not have (2014-02-30) and an interval whose start is after its end.',
    examples: ['2006', '2014-01-21', '2011-07-20/2014-01-21'],
  });

/** -1, 0, 1 in business order (by latest possible day). */
export function compareBusiness(a: string, b: string): number {
  const ka = businessDate(a).latest;
  const kb = businessDate(b).latest;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

// Brussels changes its offset only on the hour, so every instant of one UTC hour has the same
// business day: each hour is converted once (a time-zone conversion costs more than a command's decision).
const dayOfHour = new Map<string, string>();

/** The calendar day of an instant in business time (Europe/Brussels). */
export function businessDayOf(instantIso: string): string {
  const hour = instantIso.endsWith('Z') ? /^\d{4}-\d{2}-\d{2}T\d{2}/.exec(instantIso)?.[0] : undefined;
  const known = hour === undefined ? undefined : dayOfHour.get(hour);
  if (known !== undefined) return known;
  const day = DateTime.fromISO(instantIso, { zone: 'utc' }).setZone(BUSINESS_ZONE).toISODate()!;
  if (hour !== undefined) {
    if (dayOfHour.size >= 10_000) dayOfHour.clear();
    dayOfHour.set(hour, day);
  }
  return day;
}
