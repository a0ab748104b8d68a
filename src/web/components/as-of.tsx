import type { ComponentChildren } from 'preact';
import { DateTime } from 'luxon';
import { BUSINESS_ZONE } from '../../domain/business-date';
import { endOfLabel } from '../format';

interface AsOfProps {
  /** the page's path: the form submits to it */
  readonly action: string;
  readonly asOf?: string;
  /** the page's other query parameters, kept when the date changes */
  readonly keep?: Record<string, string | number | undefined>;
  readonly firstYear?: number;
  /** more fields of the same form (a list's filters), submitted with the date */
  readonly children?: ComponentChildren;
  readonly label?: string;
}

/**
 * The as-of control: a date field that works as a plain GET form, and a year slider that the
 * client code reveals and wires so that moving it swaps the view in place and updates `asOf=` in
 * the URL (client/as-of.ts). The region it refreshes is marked `data-as-of-view`.
 */
export function AsOfControl({ action, asOf, keep = {}, firstYear = 2006, children, label = 'Choose the date of the view' }: AsOfProps) {
  const thisYear = DateTime.now().setZone(BUSINESS_ZONE).year;
  const year = asOf ? Number(asOf.slice(asOf.lastIndexOf('/') + 1, asOf.lastIndexOf('/') + 5)) : thisYear;
  return (
    <form class="as-of" method="get" action={action} data-as-of-form aria-label={label}>
      {children}
      {Object.entries(keep).map(([name, value]) => (value !== undefined && value !== '' ? <input type="hidden" name={name} value={String(value)} /> : null))}
      <div class="field">
        <label for="as-of">As of</label>
        <input
          id="as-of"
          type="text"
          name="asOf"
          value={asOf ?? ''}
          size={12}
          inputMode="numeric"
          pattern="\d{4}(-\d{2}(-\d{2})?)?"
          aria-describedby="as-of-hint"
          autoComplete="off"
        />
        <span id="as-of-hint" class="hint">
          a year, YYYY-MM or YYYY-MM-DD; empty means today
        </span>
      </div>
      <div class="field" data-as-of-slider hidden>
        <label for="as-of-year">Year</label>
        <input
          id="as-of-year"
          type="range"
          min={firstYear}
          max={thisYear}
          step={1}
          value={Math.min(Math.max(year, firstYear), thisYear)}
          aria-valuetext={asOf ? `as of ${asOf}` : 'today'}
        />
      </div>
      <button type="submit">Show</button>
      <p class="state" role="status" data-as-of-state>
        {asOf ? `Showing what had been decided by ${endOfLabel(asOf)}` : 'Showing the ledger as it stands today'}
        {keep.recordedAsOf ? `, as the ledger had recorded it by ${keep.recordedAsOf}` : ''}
        {keep.version !== undefined ? `, at ledger version ${keep.version}` : ''}.
      </p>
    </form>
  );
}
