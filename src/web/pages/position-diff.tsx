import { DiffQuery } from '../../api/queries';
import { positionDiff, type DiffPart } from '../../api/position-diff';
import { positionId } from '../../api/routes/positions';
import { errors } from '../../domain/errors';
import { ProblemError } from '../../api/problem';
import { addresseeLabel, businessDateLabel, themeLabel, endOfLabel } from '../format';
import { href, pageQuery } from '../query';
import type { Page, PageContext } from '../render';

/** /positions/:id/diff: how the text changed between two business dates, word by word. */
export function positionDiffPage({ deps, req }: PageContext): Page {
  const id = positionId(req);
  const added = deps.projection.position(id)?.addedOn;
  if (!added) throw new ProblemError(404, errors.positionNotFound(id).code, 'Not found', errors.positionNotFound(id).message);
  // without `from`, the comparison starts at the text as added
  const q = pageQuery(DiffQuery, req, { from: added });
  const from = q.from;
  const d = positionDiff(deps.projection, id, q);
  const toLabel = q.to ? endOfLabel(q.to) : 'today';
  return {
    title: `Changes to ${id} from ${from} to ${q.to ?? 'today'}`,
    main: (
      <>
        <p class="muted">
          <a href="/positions">Positions</a> › <a href={`/positions/${id}`}>{id}</a> › changes
        </p>
        <h1>How {id} changed</h1>
        <form class="filters" method="get" action={`/positions/${id}/diff`} aria-label="Compare two dates">
          <div class="field">
            <label for="d-from">From</label>
            <input id="d-from" type="text" name="from" value={from} size={22} />
          </div>
          <div class="field">
            <label for="d-to">To</label>
            <input id="d-to" type="text" name="to" value={q.to ?? ''} size={22} aria-describedby="d-hint" />
            <span id="d-hint" class="hint">
              empty means today
            </span>
          </div>
          {q.recordedAsOf ? <input type="hidden" name="recordedAsOf" value={q.recordedAsOf} /> : null}
          <button type="submit">Compare</button>
        </form>
        <p>
          From the text in force at {endOfLabel(from)} (
          <a href={href(`/positions/${id}`, { asOf: from, recordedAsOf: q.recordedAsOf, version: q.version })}>revision {d.from.revision}</a>,{' '}
          {businessDateLabel(d.from.decidedOn)}) to the text in force {q.to ? `at ${toLabel}` : 'today'} (
          <a href={href(`/positions/${id}`, { asOf: q.to, recordedAsOf: q.recordedAsOf, version: q.version })}>revision {d.to.revision}</a>,{' '}
          {businessDateLabel(d.to.decidedOn)}). {d.changed ? '' : 'The text did not change between these dates.'}
        </p>
        <p class="legend">
          <span>
            <ins>inserted words</ins>
          </span>
          <span>
            <del>deleted words</del>
          </span>
        </p>
        <h2>Title</h2>
        <p class="diff" data-diff="title">
          <Words parts={d.title} />
        </p>
        <h2>Statement</h2>
        <p class="diff" data-diff="statement">
          <Words parts={d.statement} />
        </p>
        <h2>Classification and status</h2>
        <dl class="facts">
          <dt>Status</dt>
          <dd>{d.status.from === d.status.to ? `${d.status.to} (unchanged)` : `${d.status.from} → ${d.status.to}`}</dd>
          <dt>Themes</dt>
          <dd>
            <SetChange added={d.themes.added.map(themeLabel)} removed={d.themes.removed.map(themeLabel)} />
          </dd>
          <dt>Addressed to</dt>
          <dd>
            <SetChange added={d.addressees.added.map(addresseeLabel)} removed={d.addressees.removed.map(addresseeLabel)} />
          </dd>
        </dl>
        <p>
          The same comparison as JSON: <a href={href(`/api/positions/${id}/diff`, { from, to: q.to, recordedAsOf: q.recordedAsOf, version: q.version })}>API</a>
          .
        </p>
      </>
    ),
  };
}

function Words({ parts }: { parts: readonly DiffPart[] }) {
  return <>{parts.map((p) => (p.op === 'added' ? <ins>{p.text}</ins> : p.op === 'removed' ? <del>{p.text}</del> : p.text))}</>;
}

function SetChange({ added, removed }: { added: readonly string[]; removed: readonly string[] }) {
  if (added.length === 0 && removed.length === 0) return <>unchanged</>;
  return (
    <>
      {added.map((a) => (
        <>
          <ins>{a}</ins>{' '}
        </>
      ))}
      {removed.map((r) => (
        <>
          <del>{r}</del>{' '}
        </>
      ))}
    </>
  );
}
