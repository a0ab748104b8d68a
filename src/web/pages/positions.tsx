import { PositionsQuery, viewOf } from '../../api/queries';
import { THEME_IDS, ADDRESSEES, type Addressee } from '../../domain/themes';
import { AsOfControl } from '../components/as-of';
import { AddresseeTags, ExportLinks, Select, StatusBadge, ThemeTags, excerpt } from '../components/bits';
import { addresseeLabel, businessDateLabel, themeLabel } from '../format';
import { href, pageQuery } from '../query';
import type { Page, PageContext } from '../render';

const ListQuery = PositionsQuery.omit({ format: true });

/** /positions: the stances, filtered as the API filters them, as of a business date. */
export function positionsPage({ deps, req }: PageContext): Page {
  const q = pageQuery(ListQuery, req);
  const positions = deps.projection.positions({ ...q, ...viewOf(q) });
  const params = { theme: q.theme, addressee: q.addressee, status: q.status, recordedAsOf: q.recordedAsOf, asOf: q.asOf };
  const described = [q.theme && `on ${themeLabel(q.theme)}`, q.addressee && `to ${addresseeLabel(q.addressee)}`, q.status && `${q.status}`].filter(Boolean).join(', ');
  return {
    title: described ? `Positions ${described}` : 'Positions',
    main: (
      <>
        <h1>Positions</h1>
        <AsOfControl action="/positions" asOf={q.asOf} keep={{ recordedAsOf: q.recordedAsOf }} label="Filter positions and choose the date">
          <Select id="f-theme" name="theme" label="Theme" value={q.theme} options={THEME_IDS.map((t) => [t, themeLabel(t)] as const)} />
          <Select id="f-addressee" name="addressee" label="Addressed to" value={q.addressee} options={(Object.keys(ADDRESSEES) as Addressee[]).map((a) => [a, addresseeLabel(a)] as const)} />
          <Select id="f-status" name="status" label="Status" value={q.status} options={[['proposed', 'proposed'], ['endorsed', 'endorsed'], ['withdrawn', 'withdrawn']] as const} />
        </AsOfControl>
        <div data-as-of-view>
          <p>
            <strong>{positions.length}</strong> position{positions.length === 1 ? '' : 's'}
            {described ? ` ${described}` : ''}
            {q.asOf ? ` as decided by the end of ${businessDateLabel(q.asOf)}` : ''}
            {q.recordedAsOf ? `, as the ledger had recorded them by ${q.recordedAsOf}` : ''}.
          </p>
          <ExportLinks path="/api/positions" params={params} version={deps.projection.version()} />
          <ul class="positions">
            {positions.map((s) => (
              <li>
                <h2>
                  <a href={href(`/positions/${s.id}`, { asOf: q.asOf, recordedAsOf: q.recordedAsOf })}>{s.title}</a>
                </h2>
                <div class="meta">
                  <span class="mono">{s.id}</span>
                  <StatusBadge status={s.status} />
                  <span>text of {businessDateLabel(s.decidedOn)}</span>
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
        </div>
      </>
    ),
  };
}
