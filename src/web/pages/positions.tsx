import { pageOrProblem } from '../../api/paging';
import { PositionsQuery, viewOf } from '../../api/queries';
import { Pager, totalLabel } from '../components/pager';
import { AsOfControl } from '../components/as-of';
import { AddresseeTags, ExportLinks, Select, StatusBadge, ThemeAddresseeSelects, ThemeTags, excerpt } from '../components/bits';
import { addresseeLabel, businessDateLabel, themeLabel, endOfLabel } from '../format';
import { href, pageQuery } from '../query';
import { versionOfView } from '../../api/ledger-version';
import type { Page, PageContext } from '../render';

/** /positions: the stances, filtered as the API filters them, as of a business date. */
export function positionsPage({ deps, req, viewer }: PageContext): Page {
  // the API's own query (its `format` is the API's: the export links below use it)
  const { format: _format, limit, cursor, ...q } = pageQuery(PositionsQuery, req);
  versionOfView(deps.projection, q.version);
  const page = pageOrProblem(() => deps.projection.positionPage({ ...q, ...viewOf(q) }, { limit, cursor }));
  const positions = page.items;
  const params = { q: q.q, theme: q.theme, addressee: q.addressee, status: q.status, recordedAsOf: q.recordedAsOf, version: q.version, asOf: q.asOf };
  const described = [
    q.q && `matching “${q.q}”`,
    q.theme && `on ${themeLabel(q.theme)}`,
    q.addressee && `to ${addresseeLabel(q.addressee)}`,
    q.status && `${q.status}`,
  ]
    .filter(Boolean)
    .join(', ');
  return {
    title: described ? `Positions ${described}` : 'Positions',
    main: (
      <>
        <h1>Positions</h1>
        {viewer?.role === 'secretariat' ? (
          <p>
            <a class="button secondary" href="/new-position">
              Add a position
            </a>
          </p>
        ) : null}
        <AsOfControl
          action="/positions"
          asOf={q.asOf}
          keep={{ recordedAsOf: q.recordedAsOf, version: q.version, limit: limit === 50 ? undefined : String(limit) }}
          label="Search and filter positions, and choose the date"
        >
          <div class="field">
            <label for="f-q">Words</label>
            <input id="f-q" type="search" name="q" value={q.q ?? ''} size={18} aria-describedby="f-q-hint" />
            <span id="f-q-hint" class="hint">
              in titles, statements and quotes
            </span>
          </div>
          <ThemeAddresseeSelects prefix="f" theme={q.theme} addressee={q.addressee} />
          <Select
            id="f-status"
            name="status"
            label="Status"
            value={q.status}
            options={
              [
                ['proposed', 'proposed'],
                ['endorsed', 'endorsed'],
                ['withdrawn', 'withdrawn'],
              ] as const
            }
          />
        </AsOfControl>
        <div data-as-of-view>
          <p>
            <strong>{totalLabel(page)}</strong> position{page.total === 1 && !page.totalCapped ? '' : 's'}
            {described ? ` ${described}` : ''}
            {q.asOf ? ` as decided by ${endOfLabel(q.asOf)}` : ''}
            {q.recordedAsOf ? `, as the ledger had recorded them by ${q.recordedAsOf}` : ''}.
          </p>
          <ExportLinks path="/api/positions" params={params} version={deps.projection.version()} />
          <ul class="positions">
            {positions.map((s) => (
              <li>
                <h2>
                  <a href={href(`/positions/${s.id}`, { asOf: q.asOf, recordedAsOf: q.recordedAsOf, version: q.version })}>{s.title}</a>
                </h2>
                <div class="meta">
                  <span class="mono">{s.id}</span>
                  <StatusBadge status={s.status} />
                  <span>text dated {businessDateLabel(s.decidedOn)}</span>
                  <AddresseeTags addressees={s.addressees} asOf={q.asOf} />
                </div>
                <p>{excerpt(s.statement)}</p>
                <div class="meta">
                  <ThemeTags themes={s.themes} asOf={q.asOf} />
                </div>
              </li>
            ))}
          </ul>
          {positions.length === 0 ? <p class="notice">No position matches these filters at this date.</p> : null}
          <Pager path="/positions" params={{ ...params, limit: limit === 50 ? undefined : String(limit) }} page={page} cursor={cursor} />
        </div>
      </>
    ),
  };
}
