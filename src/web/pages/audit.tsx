import { ProblemError } from '../../api/problem';
import { AuditLogQuery, startOfInstant, toInstant } from '../../api/queries';
import { auditLog, UnknownCursorError, type AuditLogEntry } from '../../audit/audit-log';
import { checkpointsIn, type RecordedCheckpoint } from '../../audit/checkpoint';
import { CHECKPOINT_STREAM } from '../../audit/checkpoint-stream';
import type { VerifyReport } from '../../audit/verify';
import { businessDateLabel, instantLabel } from '../format';
import { href, pageQuery } from '../query';
import type { Page, PageContext } from '../render';

const PAGE_SIZE = 50;

/**
 * /audit (auditors): verify's result against the live read model, the checkpoints, and the audit
 * log (who recorded what and when), filtered and paged by the API's own query schema; the export
 * to verify offline. The same functions as GET /api/audit/* answer it.
 */
export async function auditPage({ deps, req, viewer }: PageContext): Promise<Page> {
  const q = pageQuery(AuditLogQuery, req);
  const limit = req.query.limit === undefined ? PAGE_SIZE : q.limit;
  // the page reads the checkpoints' stream and a page of the log, never the whole ledger
  const [report, checkpointStream] = await Promise.all([
    deps.audits.verify(viewer?.id ?? viewer?.role ?? 'anonymous', []),
    deps.store.readStream(CHECKPOINT_STREAM),
  ]);
  const checkpoints = checkpointsIn(checkpointStream);
  let log: Awaited<ReturnType<typeof auditLog>>;
  try {
    log = await auditLog(deps.store, {
      recordedBy: q.recordedBy,
      name: q.name,
      from: q.from === undefined ? undefined : startOfInstant(q.from),
      to: q.to === undefined ? undefined : toInstant(q.to),
      after: q.after,
      limit,
    });
  } catch (error) {
    if (error instanceof UnknownCursorError) throw new ProblemError(400, 'validation', 'Invalid request', `query after: ${error.message}`, 'after');
    throw error;
  }
  // who recorded decisions (the read model knows) and who recorded checkpoints
  const identities = [
    ...new Set([
      ...deps.projection.recorders(),
      ...checkpointStream.map((e) => (e.metadata as { recordedBy?: unknown }).recordedBy).filter((r): r is string => typeof r === 'string'),
    ]),
  ].sort();
  const filters = { recordedBy: q.recordedBy, name: q.name, from: q.from, to: q.to, limit: req.query.limit === undefined ? undefined : limit };
  return {
    title: 'Audit',
    main: (
      <div data-live-region>
        <h1>Audit</h1>
        <p>
          Everything here is recomputed from the events in the store on each visit. To check without trusting this server, download the export and run{' '}
          <code>npm run ledger -- verify --file ledger-export.ndjson</code> (step by step in <code>docs/auditors.md</code>).
        </p>
        <p>
          <a href="/api/audit/export" download="ledger-export.ndjson">
            Download the export
          </a>{' '}
          (NDJSON: every event up to the latest checkpoint, then that checkpoint; record a checkpoint below first to cover everything).
        </p>
        <VerifySection report={report} />
        <CheckpointsSection checkpoints={checkpoints} csrf={viewer?.csrfToken ?? ''} uncovered={report.uncovered} />
        <h2 id="log">Audit log</h2>
        <p>Who recorded what and when, in the order it was recorded; a correction is shown with the event it corrects.</p>
        <form method="get" action="/audit#log" class="filters">
          <div class="field">
            <label for="a-recordedBy">Recorded by</label>
            <select id="a-recordedBy" name="recordedBy">
              <option value="">anyone</option>
              {identities.map((who) => (
                <option value={who} selected={who === q.recordedBy}>
                  {who}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="a-name">Name</label>
            <input id="a-name" name="name" type="search" value={q.name ?? ''} aria-describedby="a-name-hint" />
            <span class="hint" id="a-name-hint">
              of the person whose key recorded it (part of it will do)
            </span>
          </div>
          <div class="field">
            <label for="a-from">Recorded from</label>
            <input id="a-from" name="from" type="date" value={q.from ?? ''} />
          </div>
          <div class="field">
            <label for="a-to">Recorded to</label>
            <input id="a-to" name="to" type="date" value={q.to ?? ''} />
          </div>
          <button type="submit">Filter</button>
        </form>
        <p role="status">
          {log.entries.length === 0
            ? log.next
              ? 'No event matches among the events read for this page; the next page reads on.'
              : 'No event matches.'
            : `${log.entries.length} event${log.entries.length === 1 ? '' : 's'} on this page${q.after ? ' (continued)' : ''}.`}
        </p>
        {log.entries.length > 0 ? <LogTable entries={log.entries} /> : null}
        <p class="pager">
          {q.after ? <a href={href('/audit', filters) + '#log'}>First page</a> : null}
          {log.next ? <a href={href('/audit', { ...filters, after: log.next }) + '#log'}>Next page</a> : null}
        </p>
      </div>
    ),
  };
}

function VerifySection({ report }: { report: VerifyReport }) {
  return (
    <section aria-labelledby="verify">
      <h2 id="verify">Verification</h2>
      <p class={report.ok ? 'verify-ok' : 'verify-failed'} data-verify={report.ok ? 'ok' : 'failed'} role="status">
        {report.ok ? (
          <strong>Verified: no problem found.</strong>
        ) : (
          <strong>
            {report.problems.length} problem{report.problems.length === 1 ? '' : 's'} found.
          </strong>
        )}
      </p>
      <dl class="facts">
        <dt>Events</dt>
        <dd>{report.events}</dd>
        <dt>Streams</dt>
        <dd>{report.streams}</dd>
        <dt>Hashes recomputed and chained</dt>
        <dd>{report.hashesVerified}</dd>
        <dt>Checkpoints checked</dt>
        <dd>{report.checkpoints}</dd>
        <dt>Events no checkpoint covers yet</dt>
        <dd>{report.uncovered}</dd>
        <dt>Read model</dt>
        <dd>{report.projection}</dd>
      </dl>
      {report.problems.length > 0 ? (
        <div class="table-wrap">
          <table>
            <caption>Problems, each at its event</caption>
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Event</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {report.problems.map((p) => (
                <tr>
                  <td>{p.check}</td>
                  <td class="mono">
                    {[p.streamId, p.revision === undefined ? undefined : `@${p.revision}`, p.position === undefined ? undefined : `position ${p.position}`]
                      .filter(Boolean)
                      .join(' ')}
                  </td>
                  <td>{p.problem}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function CheckpointsSection({ checkpoints, csrf, uncovered }: { checkpoints: readonly RecordedCheckpoint[]; csrf: string; uncovered: number }) {
  return (
    <section aria-labelledby="checkpoints">
      <h2 id="checkpoints">Checkpoints</h2>
      <form method="post" action="/audit/checkpoints">
        <input type="hidden" name="_csrf" value={csrf} />
        <button type="submit">Record a checkpoint now</button>{' '}
        <span class="muted">{uncovered === 0 ? 'every event is covered already' : `${uncovered} event${uncovered === 1 ? '' : 's'} not covered yet`}</span>
      </form>
      {checkpoints.length === 0 ? (
        <p>No checkpoint recorded yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>Merkle checkpoints recorded in the ledger; keep a root hash to prove later that nothing it covered changed</caption>
            <thead>
              <tr>
                <th scope="col">Recorded</th>
                <th scope="col">Events covered</th>
                <th scope="col">Streams</th>
                <th scope="col">Root hash</th>
              </tr>
            </thead>
            <tbody>
              {[...checkpoints].reverse().map((c) => (
                <tr>
                  <td>{instantLabel(c.checkpoint.recordedAt)}</td>
                  <td>{c.checkpoint.eventCount}</td>
                  <td>{c.checkpoint.treeSize}</td>
                  <td class="mono hash">{c.checkpoint.rootHash}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function LogTable({ entries }: { entries: readonly AuditLogEntry[] }) {
  return (
    <div class="table-wrap">
      <table class="audit-log">
        <caption>Recorded events</caption>
        <thead>
          <tr>
            <th scope="col">Recorded</th>
            <th scope="col">By</th>
            <th scope="col">Event</th>
            <th scope="col">Stream</th>
            <th scope="col">Decided</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr>
              <td>{e.recordedAt ? instantLabel(e.recordedAt) : '?'}</td>
              <td class="mono">{e.recordedBy ?? '?'}</td>
              <td>
                {e.type}
                {e.corrects ? (
                  <>
                    {' '}
                    (corrects {e.corrects.type} of {e.corrects.recordedAt ? instantLabel(e.corrects.recordedAt) : '?'})
                  </>
                ) : null}
                {e.correctedBy && e.correctedBy.length > 0 ? (
                  <> (corrected {e.correctedBy.length === 1 ? 'once' : `${e.correctedBy.length} times`} later)</>
                ) : null}
              </td>
              <td class="mono">
                {e.streamId.startsWith('position-') ? <a href={`/positions/${e.streamId.slice('position-'.length)}`}>{e.streamId}</a> : e.streamId}@{e.revision}
              </td>
              <td>{e.decidedOn ? businessDateLabel(e.decidedOn) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
