import { scaleUtc } from 'd3-scale';
import { utcYear } from 'd3-time';
import { businessDate } from '../../domain/business-date';
import type { Stance } from '../../projections/stance';
import type { TimelineEntry } from '../../projections/timeline';
import { businessDateLabel, EVENT_LABEL } from '../format';
import { href } from '../query';

export interface PictureGroup {
  readonly label: string;
  readonly positions: readonly Stance[];
}

interface PictureProps {
  readonly groups: readonly PictureGroup[];
  /** every decision, by position id */
  readonly entries: ReadonlyMap<string, readonly TimelineEntry[]>;
  readonly start: Date;
  readonly end: Date;
  readonly asOf?: string;
  readonly title: string;
}

const LABEL = 250;
const WIDTH = 960;
const ROW = 16;
const GROUP_GAP = 26;
const AXIS = 28;

const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
const nextDay = (iso: string): Date => new Date(day(iso).getTime() + 86_400_000);

/**
 * The whole history as one picture, drawn on the server: one row per position, grouped, and each
 * decision a mark on a date axis. A decision known only to a year, a month or an interval is drawn
 * as a span over every day it may have been taken on; only a decision known to the day is a point.
 */
export function TimelinePicture({ groups, entries, start, end, asOf, title }: PictureProps) {
  // clamped: a span that began before the axis (a document dated 1999-10/2007-02) starts at its edge, marked as open
  const x = scaleUtc()
    .domain([start, end])
    .range([LABEL, WIDTH - 12])
    .clamp(true);
  const years = x.ticks(utcYear.every(1)!);
  let y = AXIS + 6;
  const laidOut = groups.map((g) => {
    const top = y + GROUP_GAP - 8;
    y += GROUP_GAP;
    const rows = g.positions.map((p) => {
      const row = { position: p, y };
      y += ROW;
      return row;
    });
    return { group: g, top, rows };
  });
  const height = y + 8;
  const asOfX = asOf ? x(nextDay(businessDate(asOf).latest)) : undefined;
  return (
    <div class="picture" tabIndex={0} role="group" aria-label={`${title} (scrolls sideways on narrow screens)`}>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="group" aria-labelledby="picture-title" aria-describedby="picture-desc" xmlns="http://www.w3.org/2000/svg">
        <title id="picture-title">{title}</title>
        <desc id="picture-desc">
          Each row is a position; each mark a decision on it: added, revised, endorsed or withdrawn. A decision known only to a year or an interval is drawn as
          a span over that year or interval. Every mark links to its position.
        </desc>
        <g class="axis" aria-hidden="true">
          <line x1={LABEL} x2={WIDTH - 12} y1={AXIS} y2={AXIS} />
          {years.map((t) => (
            <g>
              <line class="grid" x1={x(t)} x2={x(t)} y1={AXIS} y2={height - 4} />
              <line x1={x(t)} x2={x(t)} y1={AXIS - 5} y2={AXIS} />
              {t.getUTCFullYear() % 2 === 0 ? (
                <text x={x(t)} y={AXIS - 9} text-anchor="middle">
                  {t.getUTCFullYear()}
                </text>
              ) : null}
            </g>
          ))}
        </g>
        {asOfX !== undefined ? <line class="as-of-line" x1={asOfX} x2={asOfX} y1={AXIS} y2={height - 4} aria-hidden="true" /> : null}
        {laidOut.map(({ group, top, rows }) => (
          <g>
            <text class="group-label" x={4} y={top}>
              {group.label}
            </text>
            {rows.map(({ position, y: rowY }) => (
              <g>
                <line class="row-line" x1={LABEL} x2={WIDTH - 12} y1={rowY} y2={rowY} aria-hidden="true" />
                <a href={href(`/positions/${position.id}`, { asOf })}>
                  <text class="row-label" x={LABEL - 10} y={rowY + 4} text-anchor="end">
                    {position.id}
                  </text>
                </a>
                {(entries.get(position.id) ?? []).map((e) => (
                  <Mark entry={e} x={x} y={rowY} openBefore={day(businessDate(e.decidedOn).earliest) < start} />
                ))}
              </g>
            ))}
          </g>
        ))}
      </svg>
    </div>
  );
}

function Mark({ entry, x, y, openBefore }: { entry: TimelineEntry; x: (d: Date) => number; y: number; openBefore: boolean }) {
  const d = businessDate(entry.decidedOn);
  const from = x(day(d.earliest));
  const to = x(nextDay(d.latest));
  const kind = entry.type.replace('Position', '').toLowerCase();
  // an endorsement often shares its date with the text it endorses: drawn as a thinner band below it, both stay visible
  const [top, h] = kind === 'endorsed' ? [y + 2, 4] : [y - 5, 7];
  const label = `${entry.positionId}: ${EVENT_LABEL[entry.type]}${entry.revision ? ` (revision ${entry.revision})` : ''}, ${businessDateLabel(entry.decidedOn)}`;
  const link = href(`/positions/${entry.positionId}`, {}) + `#event-${entry.eventId}`;
  if (d.precision === 'day') {
    return (
      <a href={link} aria-label={label}>
        <title>{label}</title>
        <circle class={`mark mark-${kind}`} cx={from} cy={y} r={4.5} />
      </a>
    );
  }
  // a span: as wide as the uncertainty, with a solid tick at the day it is certainly decided by
  return (
    <a href={link} aria-label={label}>
      <title>{label}</title>
      <rect class={`mark span mark-${kind}`} x={from} y={top} width={Math.max(2, to - from)} height={h} rx={1} />
      {openBefore ? <path class={`mark mark-${kind}`} d={`M${from - 1},${top - 1} L${from - 7},${top + h / 2} L${from - 1},${top + h + 1} Z`} /> : null}
      <rect class={`mark mark-${kind}`} x={to - 2} y={top - 1} width={3} height={h + 2} />
    </a>
  );
}

/** The legend, in HTML beside the picture (so it is read and zoomed like text). */
export function PictureLegend() {
  const swatch = (kind: string, span: boolean) => (
    <svg width="26" height="12" aria-hidden="true" class="picture-swatch">
      {span ? <rect class={`span mark-${kind}`} x="1" y="2" width="22" height="8" rx="2" /> : <circle class={`mark-${kind}`} cx="13" cy="6" r="4.5" />}
    </svg>
  );
  return (
    <ul class="legend">
      <li>{swatch('added', false)} added</li>
      <li>{swatch('revised', false)} revised</li>
      <li>{swatch('endorsed', false)} endorsed</li>
      <li>{swatch('withdrawn', false)} withdrawn</li>
      <li>{swatch('added', true)} known only to a year or an interval (span; the solid tick is the day it is certainly decided by)</li>
      <li>
        <svg width="26" height="12" aria-hidden="true">
          <path class="mark-added" d="M9,1 L3,6 L9,11 Z" />
          <rect class="span mark-added" x="10" y="2" width="14" height="8" rx="2" />
        </svg>{' '}
        the interval began before 2006
      </li>
    </ul>
  );
}
