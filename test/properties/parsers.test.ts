import fc from 'fast-check';
import type { Request } from 'express';
import { BusinessDateText, parseBusinessDate } from '../../src/domain/business-date';
import { ProblemError } from '../../src/api/problem';
import { PositionsQuery, TimelineQuery } from '../../src/api/queries';
import { parseQuery } from '../../src/api/validate';

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const year = fc.integer({ min: 1000, max: 9999 });
const day = fc
  .date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const point = fc.oneof(
  year.map((y) => String(y)),
  fc.tuple(year, fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${y}-${pad(m, 2)}`),
  day,
);

/** Property tests: the business-date grammar and the request parsers, over inputs nobody would think to write. */
describe('business-date grammar (fast-check)', () => {
  it('every well-formed point parses, keeps its text, and its earliest day is not after its latest', () => {
    fc.assert(
      fc.property(point, (text) => {
        const d = parseBusinessDate(text);
        expect(d).toBeDefined();
        expect(d!.text).toBe(text);
        expect(d!.earliest <= d!.latest).toBe(true);
        expect(d!.earliest.startsWith(text.slice(0, 4))).toBe(true);
      }),
    );
  });

  it('an interval A/B parses exactly when A does not start after B ends, and spans both', () => {
    fc.assert(
      fc.property(point, point, (a, b) => {
        const pa = parseBusinessDate(a)!;
        const pb = parseBusinessDate(b)!;
        const interval = parseBusinessDate(`${a}/${b}`);
        if (pb.latest < pa.earliest) expect(interval).toBeUndefined();
        else expect(interval).toMatchObject({ precision: 'interval', earliest: pa.earliest, latest: pb.latest });
      }),
    );
  });

  it('any string: the parser never throws, and the zod schema agrees with it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9/-]{0,24}$/)), (text) => {
        const parsed = parseBusinessDate(text);
        expect(BusinessDateText.safeParse(text).success).toBe(parsed !== undefined);
      }),
    );
  });
});

describe('query parsers (fast-check)', () => {
  const asRequest = (query: Record<string, unknown>) => ({ query }) as unknown as Request;
  const value = fc.oneof(
    fc.string(),
    fc.array(fc.string(), { maxLength: 3 }),
    point,
    fc.constantFrom('json', 'csv', 'ndjson', 'governance', 'cities', '0', '-1', '501'),
  );
  const key = fc.oneof(
    fc.constantFrom('from', 'to', 'theme', 'addressee', 'status', 'asOf', 'recordedAsOf', 'q', 'limit', 'cursor', 'format', 'version'),
    fc.string(),
  );

  it.each([
    ['positions', PositionsQuery],
    ['timeline', TimelineQuery],
  ] as const)('%s: any query either parses or is a 400 problem naming a field, never anything else', (_name, schema) => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 5 }), (query) => {
        try {
          parseQuery(schema, asRequest(query));
        } catch (error) {
          expect(error).toBeInstanceOf(ProblemError);
          expect((error as ProblemError).status).toBe(400);
          expect(typeof (error as ProblemError).field).toBe('string');
        }
      }),
      { numRuns: 300 },
    );
  });
});
