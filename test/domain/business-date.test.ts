import { compareBusiness, parseBusinessDate, BusinessDateText, businessDayOf } from '../../src/domain/business-date';

describe('business dates keep their precision', () => {
  it.each([
    ['2006', 'year', '2006-01-01', '2006-12-31'],
    ['2014-02', 'month', '2014-02-01', '2014-02-28'],
    ['2016-02', 'month', '2016-02-01', '2016-02-29'],
    ['2014-01-21', 'day', '2014-01-21', '2014-01-21'],
    ['2011-07-20/2014-01-21', 'interval', '2011-07-20', '2014-01-21'],
    ['1999-10/2007-03-01', 'interval', '1999-10-01', '2007-03-01'],
  ])('%s is a %s from %s to %s', (text, precision, earliest, latest) => {
    expect(parseBusinessDate(text)).toEqual({ text, precision, earliest, latest });
  });

  it.each(['2014-02-30', '2014-13', '14', '2014-1-5', '2014-01-21T10:00', '2014/2011', '2014/', '2006/2007/2008', ''])('refuses %p', (text) => {
    expect(parseBusinessDate(text)).toBeUndefined();
    expect(BusinessDateText.safeParse(text).success).toBe(false);
  });

  it('orders by the latest possible day: a year sorts after any day within it', () => {
    expect(compareBusiness('2006', '2006-06-01')).toBe(1);
    expect(compareBusiness('2006-12-31', '2006')).toBe(0);
    expect(compareBusiness('2011-07-20/2014-01-21', '2014-01-22')).toBe(-1);
  });

  it('reads today in Brussels, not in UTC', () => {
    expect(businessDayOf('2026-12-31T23:30:00.000Z')).toBe('2027-01-01');
    expect(businessDayOf('2026-06-30T21:59:00.000Z')).toBe('2026-06-30');
  });
});
