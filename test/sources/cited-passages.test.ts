import { locateCitations, passageAnchor } from '../../src/sources/cited-passages';

describe('locating cited passages in a source text', () => {
  const text = 'Intro.\n\n**We  call on** the EU\nto act.  Then more text, and an end.';

  it('finds a quote across markup asterisks and other white space, at its place in the original text', () => {
    const { ranges, missing } = locateCitations(text, [{ quote: 'We call on the EU to act.', positionId: 'eu-1' }]);
    expect(missing).toEqual([]);
    expect(ranges).toHaveLength(1);
    expect(text.slice(ranges[0]!.start, ranges[0]!.end)).toBe('We  call on** the EU\nto act.');
    expect(ranges[0]!.anchors).toEqual([passageAnchor('We call on the EU to act.')]);
  });

  it('finds a quote of several passages joined by " […] " piece by piece, anchoring the first', () => {
    const quote = 'We call on the EU […] and an end.';
    const { ranges, missing } = locateCitations(text, [{ quote, positionId: 'eu-1' }]);
    expect(missing).toEqual([]);
    expect(ranges.map((r) => text.slice(r.start, r.end))).toEqual(['We  call on** the EU', 'and an end.']);
    expect(ranges.map((r) => r.anchors)).toEqual([[passageAnchor(quote)], []]);
  });

  it('merges overlapping quotes into one highlighted stretch naming every citing position', () => {
    const { ranges } = locateCitations(text, [
      { quote: 'call on the EU to act.', positionId: 'eu-2' },
      { quote: 'We call on the EU', positionId: 'eu-1' },
    ]);
    expect(ranges).toHaveLength(1);
    expect(ranges[0]!.positionIds).toEqual(['eu-1', 'eu-2']);
    expect(ranges[0]!.anchors).toHaveLength(2);
  });

  it('reports a quote the text does not contain instead of highlighting something else', () => {
    const { ranges, missing } = locateCitations(text, [{ quote: 'We call on the member states', positionId: 'national-1' }]);
    expect(ranges).toEqual([]);
    expect(missing.map((m) => m.positionId)).toEqual(['national-1']);
  });
});
