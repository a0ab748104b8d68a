import { z } from 'zod';
import { ViewQuery, viewOf } from '../../api/queries';
import { ADDRESSEES, THEME_IDS, THEMES_VERSION, type Addressee } from '../../domain/themes';
import type { TimelineEntry } from '../../projections/timeline';
import { AsOfControl } from '../components/as-of';
import { totalLabel } from '../components/pager';
import { PictureLegend, TimelinePicture, type PictureGroup } from '../components/timeline-picture';
import { addresseeLabel, businessDateLabel, themeLabel, endOfLabel } from '../format';
import { href, pageQuery } from '../query';
import { versionOfView } from '../../api/ledger-version';
import type { Page, PageContext } from '../render';

const OverviewQuery = ViewQuery.extend({
  groupBy: z.enum(['addressee', 'theme']).default('addressee').meta({ description: 'rows of the picture grouped by addressee or by theme' }),
});

const HISTORY_START = new Date('2006-01-01T00:00:00Z');
/** the positions the picture draws (the first, by id); the positions page lists the rest */
export const PICTURED_POSITIONS = 100;

/** /: what the ledger holds, its themes and addressees, and the whole history in one picture. */
export function overviewPage({ deps, req }: PageContext): Page {
  const q = pageQuery(OverviewQuery, req);
  const view = viewOf(q);
  versionOfView(deps.projection, q.version);
  const { projection } = deps;
  // the figures are counted by the read model, and the picture is drawn for a page of positions: a ledger of a million events is never read whole here
  const counts = projection.positionCounts(view);
  const known = { recordedAsOf: view.recordedAsOf, version: view.version };
  const pictured = projection.positionPage(known, { limit: PICTURED_POSITIONS });
  const all = pictured.items;
  const entries = new Map<string, TimelineEntry[]>(all.map((s) => [s.id, projection.positionTimeline(s.id, known) ?? []]));
  const addressees = Object.keys(ADDRESSEES) as Addressee[];
  const groups: PictureGroup[] =
    q.groupBy === 'theme'
      ? THEME_IDS.map((t) => ({ label: themeLabel(t), positions: all.filter((s) => s.themes.includes(t)) })).filter((g) => g.positions.length > 0)
      : addressees.map((a) => ({ label: addresseeLabel(a), positions: all.filter((s) => s.addressees.includes(a)) })).filter((g) => g.positions.length > 0);
  const documents = projection.documentList();
  const keep = { recordedAsOf: q.recordedAsOf, version: q.version, groupBy: q.groupBy === 'addressee' ? undefined : q.groupBy };
  return {
    title: 'Overview',
    main: (
      <>
        <h1>EUROCITIES positions on migrant integration</h1>
        <p class="lead">
          What the cities of Europe committed to, and asked of national governments and the EU, in the documents of the EUROCITIES working group on migrant
          integration and the recommendations before it: every statement verbatim with its source, every change dated as precisely as the sources allow.
        </p>
        <AsOfControl action="/" asOf={q.asOf} keep={keep} label="Show the ledger as of a date" />
        <div data-as-of-view>
          <div class="cards">
            <section class="card" aria-labelledby="c-positions">
              <h2 id="c-positions">{counts.total} positions</h2>
              <p>
                <a href={href('/positions', { asOf: q.asOf, status: 'endorsed' })}>{counts.byStatus.endorsed ?? 0} endorsed</a>,{' '}
                <a href={href('/positions', { asOf: q.asOf, status: 'proposed' })}>{counts.byStatus.proposed ?? 0} proposed</a>,{' '}
                <a href={href('/positions', { asOf: q.asOf, status: 'withdrawn' })}>{counts.byStatus.withdrawn ?? 0} withdrawn</a>
                {q.asOf ? ` by ${endOfLabel(q.asOf)}` : ''}.
              </p>
            </section>
            <section class="card" aria-labelledby="c-addressees">
              <h2 id="c-addressees">Addressed to</h2>
              <ul>
                {addressees.map((a) => (
                  <li>
                    <a href={href('/positions', { addressee: a, asOf: q.asOf })}>{addresseeLabel(a)}</a> ({counts.byAddressee[a] ?? 0})
                  </li>
                ))}
              </ul>
            </section>
            <section class="card" aria-labelledby="c-sources">
              <h2 id="c-sources">{documents.length} source documents</h2>
              <ul>
                {documents.map((d) => (
                  <li>
                    <a href={`/documents/${d.documentId}`}>{d.title}</a> ({businessDateLabel(d.issuedOn)})
                  </li>
                ))}
              </ul>
            </section>
          </div>
          <h2>The history in one picture</h2>
          <p>
            Rows grouped by{' '}
            {q.groupBy === 'theme' ? (
              <>
                theme (<a href={href('/', { ...keep, groupBy: undefined, asOf: q.asOf })}>group by addressee</a>)
              </>
            ) : (
              <>
                addressee (<a href={href('/', { ...keep, groupBy: 'theme', asOf: q.asOf })}>group by theme</a>)
              </>
            )}
            . {q.asOf ? `The dashed line marks ${endOfLabel(q.asOf)}.` : ''} The same decisions as a list:{' '}
            <a href={href('/timeline', { to: q.asOf })}>the timeline</a>.
          </p>
          {pictured.next ? (
            <p>
              The picture draws the first {all.length} positions (by id) of {totalLabel(pictured)};{' '}
              <a href={href('/positions', { recordedAsOf: q.recordedAsOf, version: q.version })}>the positions page</a> lists them all.
            </p>
          ) : (
            ''
          )}
          <PictureLegend />
          <TimelinePicture
            groups={groups}
            entries={entries}
            start={HISTORY_START}
            end={new Date()}
            asOf={q.asOf}
            title="Every decision on every position, 2006 to today"
          />
          <h2>Themes</h2>
          <p class="muted">Taxonomy version {THEMES_VERSION}: editorial classification, not source text.</p>
          <ul class="theme-list">
            {THEME_IDS.map((t) => (
              <li>
                <a href={href('/positions', { theme: t, asOf: q.asOf })}>{themeLabel(t)}</a> ({counts.byTheme[t] ?? 0})
              </li>
            ))}
          </ul>
        </div>
      </>
    ),
  };
}
