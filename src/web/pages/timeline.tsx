import { pageOrProblem } from '../../api/paging';
import { TimelineQuery, viewOf } from '../../api/queries';
import { Pager, totalLabel } from '../components/pager';
import { excerpt, ExportLinks, ThemeAddresseeSelects } from '../components/bits';
import { addresseeLabel, businessDateLabel, EVENT_LABEL, instantLabel, themeLabel } from '../format';
import { href, pageQuery } from '../query';
import { versionOfView } from '../../api/ledger-version';
import type { Page, PageContext } from '../render';

/** What the decision said, so a reader of the timeline need not open every position: its title or statement, or who endorsed it. */
function DecisionSummary({ data }: { data: Record<string, unknown> }) {
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
  const said = text('title') ?? text('statement') ?? (text('endorsedBy') && `by ${text('endorsedBy')}`) ?? text('reason');
  if (!said) return null;
  return <div class="summary">{excerpt(said, 160)}</div>;
}

/** /timeline: every decision in business order, filtered as the API filters it. */
export function timelinePage({ deps, req }: PageContext): Page {
  // the API's own query (its `format` is the API's: the export links below use it)
  const { format: _format, limit, cursor, ...q } = pageQuery(TimelineQuery, req);
  versionOfView(deps.projection, q.version);
  const page = pageOrProblem(() => deps.projection.timelinePage({ ...q, ...viewOf(q) }, { limit, cursor }));
  const entries = page.items;
  const params = { from: q.from, to: q.to, theme: q.theme, addressee: q.addressee, q: q.q, recordedAsOf: q.recordedAsOf, version: q.version };
  return {
    title: 'Timeline',
    main: (
      <>
        <h1>Timeline</h1>
        <p>Every recorded decision in business order: by the latest day it can have been taken on, as precise as the sources allow.</p>
        <form class="filters" method="get" action="/timeline" aria-label="Filter the timeline">
          <div class="field">
            <label for="t-from">From</label>
            <input id="t-from" type="text" name="from" value={q.from ?? ''} size={10} aria-describedby="t-hint" />
          </div>
          <div class="field">
            <label for="t-to">To</label>
            <input id="t-to" type="text" name="to" value={q.to ?? ''} size={10} aria-describedby="t-hint" />
          </div>
          <ThemeAddresseeSelects prefix="t" theme={q.theme} addressee={q.addressee} />
          <div class="field">
            <label for="t-q">Words</label>
            <input id="t-q" type="search" name="q" value={q.q ?? ''} size={16} />
          </div>
          {q.recordedAsOf ? <input type="hidden" name="recordedAsOf" value={q.recordedAsOf} /> : null}
          <button type="submit">Show</button>
          <p id="t-hint" class="hint">
            Dates as YYYY, YYYY-MM or YYYY-MM-DD.
          </p>
        </form>
        <p>
          <strong>{totalLabel(page)}</strong> decisions
          {q.from ? ` from ${businessDateLabel(q.from)}` : ''}
          {q.to ? ` to ${businessDateLabel(q.to)}` : ''}
          {q.theme ? ` on ${themeLabel(q.theme)}` : ''}
          {q.addressee ? ` addressed to ${addresseeLabel(q.addressee)}` : ''}
          {q.q ? ` matching “${q.q}”` : ''}.
        </p>
        <ExportLinks path="/api/timeline" params={params} version={deps.projection.version()} />
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Decisions">
          <table>
            <thead>
              <tr>
                <th scope="col">Decided</th>
                <th scope="col">Position</th>
                <th scope="col">Decision</th>
                <th scope="col">Recorded</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr>
                  <td>{businessDateLabel(e.decidedOn)}</td>
                  <td>
                    <a href={`${href(`/positions/${e.positionId}`, { asOf: e.decidedOn.split('/').at(-1) })}#event-${e.eventId}`}>{e.positionId}</a>
                  </td>
                  <td>
                    {EVENT_LABEL[e.type]}
                    {e.revision !== undefined ? ` (revision ${e.revision})` : ''}
                    {e.corrections.length > 0 ? `, corrected ${e.corrections.length}×` : ''}
                    <DecisionSummary data={e.data} />
                  </td>
                  <td>
                    {instantLabel(e.recordedAt)} by <span class="mono">{e.recordedBy}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pager path="/timeline" params={{ ...params, limit: limit === 50 ? undefined : String(limit) }} page={page} cursor={cursor} />
      </>
    ),
  };
}
