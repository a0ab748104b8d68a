import { Slug } from '../../domain/primitives';
import { errors } from '../../domain/errors';
import { ProblemError, validationProblem } from '../../api/problem';
import { readSourceText, SourceTextUnavailableError } from '../../sources/source-text';
import type { SourceCitation } from '../../domain/primitives';
import { locateCitations, type Citation } from '../../sources/cited-passages';
import { SourceDocument } from '../components/source-document';
import { businessDateLabel, instantLabel } from '../format';
import type { Page, PageContext } from '../render';
import { DocumentQuery } from '../../api/queries';
import { pageOrProblem } from '../../api/paging';
import { compareKeys } from '../../projections/read-model';
import { timelineKey } from '../../projections/timeline';
import { Pager } from '../components/pager';
import { href, pageQuery } from '../query';
import { versionOfView } from '../../api/ledger-version';

/** /documents: the source documents the positions cite (as at a cited version, with `version`). */
export function documentsPage({ deps, req }: PageContext): Page {
  const { version } = pageQuery(DocumentQuery.pick({ version: true }), req);
  versionOfView(deps.projection, version);
  const documents = deps.projection.documentList({ version });
  return {
    title: 'Source documents',
    main: (
      <>
        <h1>Source documents</h1>
        <p>Every statement in the ledger is quoted from one of these documents, with the place it comes from.</p>
        <ul class="positions">
          {documents.map((d) => (
            <li>
              <h2>
                <a href={href(`/documents/${d.documentId}`, { version })}>{d.title}</a>
              </h2>
              <p class="meta">
                <span>{d.publisher}</span>
                <span>issued {businessDateLabel(d.issuedOn)}</span>
                <span>cited by {d.citedByCount} positions</span>
              </p>
            </li>
          ))}
        </ul>
      </>
    ),
  };
}

/** /documents/:id: the source text, every cited passage highlighted, anchored and linked to the positions citing it. */
export async function documentPage({ deps, req }: PageContext): Promise<Page> {
  const parsed = Slug.safeParse(req.params.id);
  if (!parsed.success) throw validationProblem(parsed.error, 'path', 'id');
  const { limit, cursor, version } = pageQuery(DocumentQuery, req);
  versionOfView(deps.projection, version);
  const doc = pageOrProblem(() => deps.projection.document(parsed.data, { version }, { limit, cursor }));
  if (!doc) throw new ProblemError(404, 'document-not-found', 'Not found', errors.documentNotFound(parsed.data).message);
  let text: string | undefined;
  let unavailable: string | undefined;
  try {
    text = await readSourceText(deps.config.sourcesDir, doc);
  } catch (error) {
    if (!(error instanceof SourceTextUnavailableError)) throw error;
    unavailable = error.message;
  }
  // the passages the positions of this page quote, in business order (not the whole ledger's timeline)
  const entries = doc.citedBy.flatMap((id) => deps.projection.positionTimeline(id, { version }) ?? []);
  entries.sort((a, b) => compareKeys(timelineKey(a), timelineKey(b)));
  const citations: Citation[] = [];
  for (const e of entries) {
    const source = (e.data as { source?: SourceCitation }).source;
    if (source?.documentId === doc.documentId && source.quote && !citations.some((c) => c.quote === source.quote && c.positionId === e.positionId)) {
      citations.push({ quote: source.quote, positionId: e.positionId });
    }
  }
  const located = text === undefined ? undefined : locateCitations(text, citations);
  return {
    title: doc.title,
    main: (
      <>
        <p class="muted">
          <a href={href('/documents', { version })}>Source documents</a> › <span class="mono">{doc.documentId}</span>
        </p>
        <h1>{doc.title}</h1>
        <dl class="facts">
          <dt>Publisher</dt>
          <dd>{doc.publisher}</dd>
          <dt>Issued</dt>
          <dd>{businessDateLabel(doc.issuedOn)}</dd>
          {doc.note ? (
            <>
              <dt>Note</dt>
              <dd>{doc.note}</dd>
            </>
          ) : null}
          <dt>Registered</dt>
          <dd>
            {instantLabel(doc.recordedAt)} by <span class="mono">{doc.recordedBy}</span>
          </dd>
          {doc.contentSha256 ? (
            <>
              <dt>SHA-256</dt>
              <dd>
                <code class="hash">{doc.contentSha256}</code> (the text below is served only while its file has this digest;{' '}
                <a href={`/api/documents/${doc.documentId}/text`}>plain text</a>)
              </dd>
            </>
          ) : null}
          <dt>Cited by</dt>
          <dd>
            {doc.citedBy.map((id, i) => (
              <>
                {i > 0 ? ', ' : ''}
                <a href={href(`/positions/${id}`, { version })}>{id}</a>
              </>
            ))}
            <Pager
              path={`/documents/${doc.documentId}`}
              params={{ limit: limit === 50 ? undefined : String(limit), version: version === undefined ? undefined : String(version) }}
              page={{ items: [...doc.citedBy], total: doc.citedByCount, totalCapped: false, next: doc.citedByNext }}
              cursor={cursor}
            />
          </dd>
        </dl>
        <h2>Text</h2>
        {located ? (
          <>
            <p class="muted">
              {located.ranges.length} cited passages are highlighted; each is linked to the positions that quote it.
              {located.missing.length > 0
                ? ` ${located.missing.length} quotes could not be found in this text: ${located.missing.map((m) => m.positionId).join(', ')}.`
                : ''}
            </p>
            <SourceDocument text={text!} ranges={located.ranges} positionHref={(id) => href(`/positions/${id}`, { version })} />
          </>
        ) : (
          <p class="problem">{unavailable}</p>
        )}
      </>
    ),
  };
}
