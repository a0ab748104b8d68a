import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalData, canonicalJson, eventHash, eventHashOfCanonicalData, type HashedContent } from '../../src/integrity/event-hash';
import { hashMatchesText, recomputeHash } from '../../src/integrity/hash-chain';

/** The hash as the ledger defines it: SHA-256 of canonicalize() over the whole envelope. */
const reference = (c: HashedContent) => createHash('sha256').update(canonicalize(c)!).digest('hex');

const content = fc.record({
  eventId: fc.string(),
  streamId: fc.string(),
  streamRevision: fc.nat(),
  type: fc.string(),
  schemaVersion: fc.integer({ min: 1, max: 100 }),
  data: fc.jsonValue(),
  recordedAt: fc.string(),
  recordedBy: fc.string({ unit: 'binary' }),
  prevHash: fc.option(fc.string(), { nil: null }),
});

describe('the event hash, with the data canonicalised once', () => {
  it('writes the same canonical JSON as canonicalize (RFC 8785) for any JSON value, and refuses what is not JSON', () => {
    const key = fc.string({ unit: 'binary' });
    const value = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(key, fc.oneof(fc.string({ unit: 'binary' }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constant(undefined))),
    );
    fc.assert(
      fc.property(value, (v) => expect(canonicalJson(v)).toBe(canonicalize(v))),
      { numRuns: 2000 },
    );
    for (const notJson of [NaN, Infinity, { a: Number.NEGATIVE_INFINITY }, { n: BigInt(1) }]) expect(() => canonicalJson(notJson)).toThrow();
  });

  it('is the SHA-256 of the canonical JSON of the whole envelope, for any content', () => {
    fc.assert(
      fc.property(content, (c) => {
        expect(eventHash(c)).toBe(reference(c));
        expect(eventHashOfCanonicalData(c, canonicalData(c.data))).toBe(reference(c));
      }),
      { numRuns: 500 },
    );
  });

  const stored = (data: Record<string, unknown>) => {
    const e = { id: 'e-1', streamId: 'position-p', revision: 0, type: 'PositionAdded', data };
    const metadata = { schemaVersion: 2, recordedAt: '2026-11-23T10:00:00.000Z', recordedBy: 'ledger-seed', prevHash: null };
    const hash = eventHash({ eventId: e.id, streamId: e.streamId, streamRevision: e.revision, type: e.type, data, ...metadata });
    return { ...e, position: '1', metadata: { ...metadata, hash } };
  };

  it('checks stored JSON text: canonical bytes as they are, any other spelling of the same data after parsing it, changed data never', () => {
    const e = stored({ b: 1, a: 'x', c: { z: [1, 2], y: null } });
    expect(hashMatchesText(e, canonicalData(e.data))).toBe(true);
    expect(hashMatchesText(e, JSON.stringify(e.data))).toBe(true); // written before the ledger kept canonical bytes
    expect(hashMatchesText(e, JSON.stringify({ ...e.data, b: 2 }))).toBe(false);
    expect(hashMatchesText(e, 'not json')).toBe(false);
    expect(hashMatchesText({ ...e, metadata: { ...e.metadata, recordedBy: 'someone else' } }, canonicalData(e.data))).toBe(false);
    expect(recomputeHash(e)).toBe(e.metadata.hash);
  });
});
