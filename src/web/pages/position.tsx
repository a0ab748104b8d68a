import { ViewQuery, viewOf } from '../../api/queries';
import { positionId } from '../../api/routes/positions';
import { positionNotFound, type DateWords } from '../../api/position-not-found';
import { businessDate } from '../../domain/business-date';
import { RELATION_KINDS, type SourceCitation } from '../../domain/primitives';
import type { TimelineEntry } from '../../projections/timeline';
import { AsOfControl } from '../components/as-of';
import { AddresseeTags, StatusBadge, ThemeTags } from '../components/bits';
import { businessDateLabel, EVENT_LABEL, instantLabel, endOfLabel } from '../format';
import { citationHref } from '../passages';
import { href, pageQuery } from '../query';
import { versionOfView } from '../../api/ledger-version';
import type { Page, PageContext } from '../render';
import { RecordActions } from '../forms/record-actions';

const PAGE_DATES: DateWords = { endOf: endOfLabel, businessDate: businessDateLabel, instant: instantLabel };

/** /positions/:id: one position as of a business date, its provenance and its whole history. */
export function positionPage({ deps, req, viewer }: PageContext): Page {
  const id = positionId(req);
  const q = pageQuery(ViewQuery, req);
  const view = viewOf(q);
  const cited = versionOfView(deps.projection, q.version);
  const { projection } = deps;
  const stance = projection.position(id, view);
  const latest = projection.position(id, { recordedAsOf: view.recordedAsOf, version: view.version });
  if (!stance) throw positionNotFound(projection, id, view, PAGE_DATES);
  const history = projection.positionTimeline(id, { recordedAsOf: view.recordedAsOf, version: view.version }) ?? [];
  const until = q.asOf === undefined ? undefined : businessDate(q.asOf).latest;
  const relatedFrom = projection.relatedFrom(id, view);
  const endorsedDiffers = stance.lastEndorsed && stance.lastEndorsed.revision !== stance.revision;
  return {
    title: `${stance.title} (${id})`,
    main: (
      <>
        <p class="muted">
          <a href={href('/positions', { asOf: q.asOf })}>Positions</a> › <span class="mono">{id}</span>
        </p>
        <AsOfControl
          action={`/positions/${id}`}
          asOf={q.asOf}
          keep={{ recordedAsOf: q.recordedAsOf, version: q.version }}
          label="Show this position as of a date"
        />
        <article data-as-of-view>
          <h1>{stance.title}</h1>
          <div class="meta">
            <StatusBadge status={stance.status} />
            <span>
              text revision {stance.revision}, {businessDateLabel(stance.decidedOn)}
            </span>
            <AddresseeTags addressees={stance.addressees} asOf={q.asOf} />
          </div>
          <RecordActions stance={latest ?? stance} viewer={viewer} />
          <h2>Text in force{q.asOf ? ` at ${endOfLabel(q.asOf)}` : ''}</h2>
          <blockquote class="statement" data-statement>
            <p>{stance.statement}</p>
          </blockquote>
          {stance.lastEndorsed ? (
            endorsedDiffers ? (
              <>
                <h2>Last endorsed text (revision {stance.lastEndorsed.revision})</h2>
                <blockquote class="statement">
                  <p>{stance.lastEndorsed.statement}</p>
                </blockquote>
              </>
            ) : (
              <p>
                This text is the last endorsed one
                {stance.latestEndorsement
                  ? ` (endorsed by ${stance.latestEndorsement.endorsedBy}, ${businessDateLabel(stance.latestEndorsement.decidedOn)})`
                  : ''}
                .
              </p>
            )
          ) : (
            <p>No text of this position had been endorsed at this date.</p>
          )}
          {stance.withdrawal ? (
            <p class="notice">
              Withdrawn {businessDateLabel(stance.withdrawal.decidedOn)}: {stance.withdrawal.reason}
            </p>
          ) : null}
          <dl class="facts">
            <dt>Themes</dt>
            <dd>
              <ThemeTags themes={stance.themes} asOf={q.asOf} />
            </dd>
            <dt>Addressed to</dt>
            <dd>
              <AddresseeTags addressees={stance.addressees} asOf={q.asOf} />
            </dd>
            <dt>Added</dt>
            <dd>{businessDateLabel(stance.addedOn)}</dd>
            <dt>Source</dt>
            <dd>
              <Provenance source={stance.source} documentTitle={projection.document(stance.source.documentId)?.title} />
            </dd>
            <dt>Compare</dt>
            <dd>
              <a href={href(`/positions/${id}/diff`, { from: stance.addedOn, to: q.asOf, recordedAsOf: q.recordedAsOf, version: q.version })}>
                How the text changed since it was added
              </a>
            </dd>
            <dt>Cite</dt>
            <dd>
              <code>{citeUrl(req.protocol, req.get('host'), id, { ...q, version: cited.version })}</code>
            </dd>
          </dl>
          <h2>Related positions</h2>
          {stance.relatesTo.length === 0 && relatedFrom.length === 0 ? (
            <p>No relation to another position is recorded{q.asOf ? ' at this date' : ''}.</p>
          ) : (
            <ul class="relations">
              {stance.relatesTo.map((r) => (
                <li>
                  This position <strong>{r.kind}</strong>{' '}
                  <a href={href(`/positions/${r.positionId}`, { asOf: q.asOf, recordedAsOf: q.recordedAsOf, version: q.version })}>
                    {projection.position(r.positionId, view)?.title ?? r.positionId}
                  </a>{' '}
                  <span class="muted">
                    ({r.positionId}; {RELATION_KINDS[r.kind]}; since revision {r.revision}, {businessDateLabel(r.decidedOn)})
                  </span>
                </li>
              ))}
              {relatedFrom.map((r) => (
                <li>
                  <a href={href(`/positions/${r.positionId}`, { asOf: q.asOf, recordedAsOf: q.recordedAsOf, version: q.version })}>
                    {projection.position(r.positionId, view)?.title ?? r.positionId}
                  </a>{' '}
                  <strong>{r.kind}</strong> this position{' '}
                  <span class="muted">
                    ({r.positionId}, {businessDateLabel(r.decidedOn)})
                  </span>
                </li>
              ))}
            </ul>
          )}
          <h2>History</h2>
          <p class="muted">
            Every decision in business order, with when the ledger recorded it and who did; corrections of a recording mistake appear beside the record they
            correct.
          </p>
          <ol class="history">
            {history.map((entry, i) => (
              <HistoryItem
                entry={entry}
                previous={history
                  .slice(0, i)
                  .reverse()
                  .find((e) => e.type === 'PositionAdded' || e.type === 'PositionRevised')}
                later={until !== undefined && businessDate(entry.decidedOn).latest > until}
              />
            ))}
          </ol>
        </article>
      </>
    ),
  };
}

/** The permalink: this view at this ledger version, the same answer for good. */
function citeUrl(protocol: string, host: string | undefined, id: string, q: { asOf?: string; recordedAsOf?: string; version: number }): string {
  return `${protocol}://${host ?? 'localhost'}${href(`/positions/${id}`, { asOf: q.asOf, recordedAsOf: q.recordedAsOf, version: q.version })}`;
}

export function Provenance({ source, documentTitle }: { source: SourceCitation; documentTitle?: string }) {
  return (
    <>
      <a href={citationHref(source)}>{documentTitle ?? source.documentId}</a>, {source.locator}
      {source.quote ? (
        <blockquote class="quote">
          <p>“{source.quote}”</p>
        </blockquote>
      ) : null}
    </>
  );
}

function HistoryItem({ entry, previous, later }: { entry: TimelineEntry; previous?: TimelineEntry; later: boolean }) {
  const data = entry.data as {
    rationale?: string;
    note?: string;
    endorsedBy?: string;
    reference?: string;
    reason?: string;
    source?: SourceCitation;
    statement?: string;
  };
  return (
    <li id={`event-${entry.eventId}`}>
      <h3>
        {EVENT_LABEL[entry.type]}
        {entry.revision !== undefined ? ` (revision ${entry.revision})` : ''}, {businessDateLabel(entry.decidedOn)}
        {later ? <span class="muted"> (after the date shown)</span> : null}
      </h3>
      <p class="meta">
        <span>
          recorded {instantLabel(entry.recordedAt)} by <span class="mono">{entry.recordedBy}</span>
        </span>
        <span>precision: {entry.precision}</span>
      </p>
      {data.rationale ? <p>Rationale: {data.rationale}</p> : null}
      {data.note ? <p>Note: {data.note}</p> : null}
      {data.endorsedBy ? (
        <p>
          Endorsed by {data.endorsedBy}
          {data.reference ? ` (${data.reference})` : ''}
        </p>
      ) : null}
      {data.reason ? <p>Reason: {data.reason}</p> : null}
      {data.source ? (
        <p>
          Source: <a href={citationHref(data.source)}>{data.source.documentId}</a>, {data.source.locator}
        </p>
      ) : null}
      {entry.type === 'PositionRevised' && previous ? (
        <p>
          <a href={href(`/positions/${entry.positionId}/diff`, { from: previous.decidedOn, to: entry.decidedOn })}>See what this revision changed</a>
        </p>
      ) : null}
      {entry.corrections.map((c) => (
        <div class="correction">
          <p>
            <strong>Corrected</strong> {instantLabel(c.recordedAt)} by <span class="mono">{c.recordedBy}</span>: {c.reason}
          </p>
          <ul>
            {Object.entries(c.changes).map(([field, value]) => (
              <li>
                <code>{field}</code>: recorded as <q>{show(c.original[field])}</q>, corrected to <q>{show(value)}</q>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </li>
  );
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.join(', ');
  return JSON.stringify(v);
}
