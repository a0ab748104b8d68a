import { z } from 'zod';
import { ViewQuery, viewOf } from '../../api/queries';
import { ADDRESSEES, THEME_IDS, THEMES_VERSION, type Addressee } from '../../domain/themes';
import type { Stance } from '../../projections/stance';
import type { TimelineEntry } from '../../projections/timeline';
import { AsOfControl } from '../components/as-of';
import { PictureLegend, TimelinePicture, type PictureGroup } from '../components/timeline-picture';
import { addresseeLabel, businessDateLabel, themeLabel, endOfLabel } from '../format';
import { href, pageQuery } from '../query';
import { versionOfView } from '../../api/ledger-version';
import type { Page, PageContext } from '../render';

const OverviewQuery = ViewQuery.extend({
  groupBy: z.enum(['addressee', 'theme']).default('addressee').meta({ description: 'rows of the picture grouped by addressee or by theme' }),
});

const HISTORY_START = new Date('2006-01-01T00:00:00Z');

/** /: what the ledger holds, its themes and addressees, and the whole history in one picture. */
export function overviewPage({ deps, req }: PageContext): Page {
  const q = pageQuery(OverviewQuery, req);
  const view = viewOf(q);
  versionOfView(deps.projection, q.version);
  const { projection } = deps;
  const positions = projection.positionPage(view).items;
  const all = projection.positionPage({ recordedAsOf: view.recordedAsOf, version: view.version }).items;
  const entries = new Map<string, TimelineEntry[]>();
  for (const e of projection.timelinePage({ recordedAsOf: view.recordedAsOf, version: view.version }).items) {
    const list = entries.get(e.positionId) ?? [];
    list.push(e);
    entries.set(e.positionId, list);
  }
  const count = (pred: (s: Stance) => boolean) => positions.filter(pred).length;
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
              <h2 id="c-positions">{positions.length} positions</h2>
              <p>
                <a href={href('/positions', { asOf: q.asOf, status: 'endorsed' })}>{count((s) => s.status === 'endorsed')} endorsed</a>,{' '}
                <a href={href('/positions', { asOf: q.asOf, status: 'proposed' })}>{count((s) => s.status === 'proposed')} proposed</a>,{' '}
                <a href={href('/positions', { asOf: q.asOf, status: 'withdrawn' })}>{count((s) => s.status === 'withdrawn')} withdrawn</a>
                {q.asOf ? ` by ${endOfLabel(q.asOf)}` : ''}.
              </p>
            </section>
            <section class="card" aria-labelledby="c-addressees">
              <h2 id="c-addressees">Addressed to</h2>
              <ul>
                {addressees.map((a) => (
                  <li>
                    <a href={href('/positions', { addressee: a, asOf: q.asOf })}>{addresseeLabel(a)}</a> ({count((s) => s.addressees.includes(a))})
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
                <a href={href('/positions', { theme: t, asOf: q.asOf })}>{themeLabel(t)}</a> ({count((s) => s.themes.includes(t))})
              </li>
            ))}
          </ul>
        </div>
      </>
    ),
  };
}
