import { DateTime } from 'luxon';
import { businessDate } from '../domain/business-date';
import { ADDRESSEES, THEMES, type Addressee, type Theme } from '../domain/themes';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A business date in words, as precise as it is and no more: "2006", "January 2014", "between 20 July 2011 and 21 January 2014". */
export function businessDateLabel(text: string): string {
  const d = businessDate(text);
  if (d.precision === 'interval') {
    const [a, b] = text.split('/');
    return `between ${businessDateLabel(a!)} and ${businessDateLabel(b!)}`;
  }
  const [y, m, day] = text.split('-');
  if (d.precision === 'year') return y!;
  if (d.precision === 'month') return `${MONTHS[Number(m) - 1]} ${y}`;
  return `${Number(day)} ${MONTHS[Number(m) - 1]} ${y}`;
}

/** An instant of recording time, in UTC, to the minute. */
export function instantLabel(iso: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).toFormat("d LLL yyyy, HH:mm 'UTC'");
}

export const themeLabel = (t: Theme): string => THEMES[t].split(':')[0]!;
export const addresseeLabel = (a: Addressee): string =>
  ({ cities: 'Cities', 'national-governments': 'National governments', 'eu-institutions': 'EU institutions' })[a] ?? ADDRESSEES[a];

export const EVENT_LABEL = {
  PositionAdded: 'Added',
  PositionRevised: 'Revised',
  PositionEndorsed: 'Endorsed',
  PositionWithdrawn: 'Withdrawn',
} as const;

/** The end of a business date, as an as-of view counts it: "the end of 2010"; an interval ends with its last part ("the end of February 2007"). */
export function endOfLabel(text: string): string {
  return `the end of ${businessDateLabel(text.split('/').at(-1)!)}`;
}
