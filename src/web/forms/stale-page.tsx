import type { ApiDeps } from '../../api/deps';
import type { Stance } from '../../projections/stance';
import { businessDateLabel, EVENT_LABEL, instantLabel } from '../format';
import { href } from '../query';
import { FORMS } from './form-pages';
import { FORM_META, type FormFields, type FormKind } from './form-fields';

/**
 * The 412 explained: a colleague recorded a change to the position after this form was rendered.
 * Nothing was recorded; the page shows what they recorded, links to the fresh version, to the diff
 * of the text and to the form again, and gives back what the reader typed so nothing is lost.
 */
export function StaleForm({
  deps,
  kind,
  current,
  renderedAt,
  fields,
}: {
  deps: ApiDeps;
  kind: FormKind;
  current: Stance;
  renderedAt: number;
  fields: FormFields;
}) {
  const id = current.id;
  const entries = deps.projection.positionTimeline(id) ?? [];
  const since = entries.filter((e) => e.streamRevision > renderedAt).sort((a, b) => a.streamRevision - b.streamRevision);
  // corrections are events of the stream too, shown beside what they correct rather than as decisions
  const corrections = current.streamRevision - renderedAt - since.length;
  // the text as the form showed it: the view recorded by the time of the last event the form knew
  const knownAt = entries.find((e) => e.streamRevision === renderedAt)?.recordedAt;
  const then = knownAt ? deps.projection.position(id, { recordedAsOf: knownAt }) : undefined;
  const typed = Object.entries(fields).filter(
    ([name, value]) => !name.startsWith('_') && value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0),
  );
  return (
    <>
      <h1>Someone recorded a change first</h1>
      <div class="problem" role="alert">
        <p>
          <strong>Nothing was recorded.</strong> This form was opened when the record of <span class="mono">{id}</span> was at revision {renderedAt}; a
          colleague has since recorded {current.streamRevision - renderedAt === 1 ? 'a change' : `${current.streamRevision - renderedAt} changes`} (it is now at
          revision {current.streamRevision}). Recording your form over theirs could undo what they recorded, so the ledger refused it (HTTP 412, stale ETag).
        </p>
      </div>
      {since.length > 0 ? (
        <>
          <h2>Recorded since you opened the form</h2>
          <ul>
            {since.map((e) => (
              <li>
                {EVENT_LABEL[e.type]}
                {e.revision !== undefined ? ` (text revision ${e.revision})` : ''}, decided {businessDateLabel(e.decidedOn)}, recorded{' '}
                {instantLabel(e.recordedAt)} by <span class="mono">{e.recordedBy}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {corrections > 0 ? (
        <p>
          {corrections === 1 ? 'A correction was' : `${corrections} corrections were`} recorded too: the position's timeline shows each beside what it corrects.
        </p>
      ) : null}
      <h2>What to do</h2>
      <ul>
        <li>
          <a href={`/positions/${id}`}>Open the fresh version of {id}</a>
        </li>
        <li>
          <a href={href(`/positions/${id}/diff`, { from: then?.decidedOn ?? current.addedOn, to: current.lastDecidedOn })}>See what changed in the text</a>
        </li>
        <li>
          <a href={FORMS[kind].action(id)}>{FORMS[kind].verb} again, from the fresh version</a>
        </li>
      </ul>
      {typed.length > 0 ? (
        <details open>
          <summary>What you entered (not recorded), to copy into the fresh form</summary>
          <dl class="typed">
            {typed
              .filter(([name]) => name !== FORM_META.key && name !== FORM_META.etag)
              .map(([name, value]) => (
                <>
                  <dt>{name}</dt>
                  <dd>{Array.isArray(value) ? value.join(', ') : value}</dd>
                </>
              ))}
          </dl>
        </details>
      ) : null}
    </>
  );
}
