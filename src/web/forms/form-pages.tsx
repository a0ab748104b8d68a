import type { ApiDeps } from '../../api/deps';
import { ADDRESSEES, THEMES, type Addressee, type Theme } from '../../domain/themes';
import type { Stance } from '../../projections/stance';
import { addresseeLabel, businessDateLabel, EVENT_LABEL, instantLabel, themeLabel } from '../format';
import { Checkboxes, controlId, ErrorSummary, fieldErrors, HiddenFields, SelectField, TextArea, TextField, type FormState } from './controls';
import { RELATION_ROWS, type FormFields, type FormKind } from './form-fields';
import { RELATION_KINDS, type RelationKind } from '../../domain/primitives';

const THEME_OPTIONS = (Object.keys(THEMES) as Theme[]).map((t) => [t, themeLabel(t)] as const);
const ADDRESSEE_OPTIONS = (Object.keys(ADDRESSEES) as Addressee[]).map((a) => [a, addresseeLabel(a)] as const);

const RELATION_OPTIONS = (Object.entries(RELATION_KINDS) as [RelationKind, string][]).map(([kind, meaning]) => [kind, `${kind}: ${meaning}`] as const);
const RELATION_CONTROLS = [
  'relatesTo',
  ...Array.from({ length: RELATION_ROWS }, (_, i) => [`relatesTo.${i}.positionId`, `relatesTo.${i}.kind`]).flat(),
] as const;

const DATE_HINT = (
  <>
    When the working group decided it: <code>2014</code>, <code>2014-01</code>, <code>2014-01-21</code>, or an interval such as{' '}
    <code>2011-07-20/2014-01-21</code>. Never more precise than the source.
  </>
);

/** What a text (as added, or revised) is recorded with, in the order the add and revise forms show it. */
const TEXT_CONTROLS = [
  'title',
  'statement',
  'themes',
  'addressees',
  'decidedOn',
  'source.documentId',
  'source.locator',
  'source.quote',
  ...RELATION_CONTROLS,
] as const;

/** What each form is called, where it posts, and the controls it has (so the error summary can link to them). */
export const FORMS: Record<FormKind, { verb: string; action: (id?: string) => string; controls: readonly string[] }> = {
  add: { verb: 'Add a position', action: () => '/new-position', controls: ['id', ...TEXT_CONTROLS, 'note'] },
  revise: { verb: 'Revise', action: (id) => `/positions/${id}/revise`, controls: [...TEXT_CONTROLS, 'rationale'] },
  endorse: { verb: 'Record an endorsement', action: (id) => `/positions/${id}/endorse`, controls: ['revision', 'endorsedBy', 'decidedOn', 'reference'] },
  withdraw: { verb: 'Withdraw', action: (id) => `/positions/${id}/withdraw`, controls: ['decidedOn', 'reason'] },
  correct: {
    verb: 'Correct a recording mistake',
    action: (id) => `/positions/${id}/correct`,
    controls: [
      'eventId',
      'changes',
      'changes.decidedOn',
      'changes.title',
      'changes.statement',
      'changes.source.documentId',
      'changes.source.locator',
      'changes.source.quote',
      'changes.endorsedBy',
      'changes.reference',
      'changes.rationale',
      'changes.reason',
      'reason',
    ],
  },
};

/** The values a fresh form starts with: a revision starts from the text in force, an endorsement from the revision in force. */
export function initialFields(kind: FormKind, stance: Stance | undefined, query: Record<string, unknown>): FormFields {
  if (kind === 'revise' && stance)
    return {
      title: stance.title,
      statement: stance.statement,
      themes: [...stance.themes],
      addressees: [...stance.addressees],
      'source.documentId': stance.source.documentId,
    };
  if (kind === 'endorse' && stance) return { revision: String(stance.revision) };
  if (kind === 'correct' && typeof query.eventId === 'string') return { eventId: query.eventId };
  return {};
}

/** A recording form: the problem first (if any), then the controls; every control labelled, its error beside it. */
export function RecordingForm({ kind, deps, stance, state }: { kind: FormKind; deps: ApiDeps; stance?: Stance; state: FormState }) {
  const form = FORMS[kind];
  const documents = deps.projection.documentList().map((d) => [d.documentId, `${d.title} (${d.documentId})`] as const);
  return (
    <>
      <p class="muted">
        {stance ? (
          <>
            <a href="/positions">Positions</a> › <a href={`/positions/${stance.id}`}>{stance.id}</a> › {form.verb.toLowerCase()}
          </>
        ) : (
          <>
            <a href="/positions">Positions</a> › new
          </>
        )}
      </p>
      <h1>{stance ? `${form.verb}: ${stance.title}` : form.verb}</h1>
      {stance ? (
        <p>
          You are changing the record as it stands now (text revision {stance.revision}, {stance.status}, record revision {stance.streamRevision}). If a
          colleague records a change before you send this form, nothing is recorded and you are shown what they changed.
        </p>
      ) : null}
      <ErrorSummary problem={state.problem} controls={form.controls} />
      <form method="post" action={form.action(stance?.id)} class="record-form" data-record-form data-position-id={stance?.id} novalidate>
        <HiddenFields state={state} />
        {kind === 'add' ? (
          <>
            <TextField name="id" label="Id" hint="A short stable id, lower case with hyphens, e.g. eu-8" state={state} required />
            <TextField name="title" label="Title" state={state} required />
            <TextArea name="statement" label="Statement (verbatim from the source)" state={state} required />
            <Checkboxes name="themes" label="Themes" state={state} options={THEME_OPTIONS} />
            <Checkboxes name="addressees" label="Addressed to" state={state} options={ADDRESSEE_OPTIONS} />
            <TextField name="decidedOn" label="Decided on" hint={DATE_HINT} state={state} required />
            <Source prefix="source" state={state} documents={documents} required />
            <Relations state={state} />
            <TextArea name="note" label="Note (optional)" state={state} rows={3} />
          </>
        ) : null}
        {kind === 'revise' ? (
          <>
            <TextField name="title" label="Title" state={state} />
            <TextArea
              name="statement"
              label="Statement (verbatim from the source)"
              hint="Change only what the working group changed; fields left as they are are not recorded."
              state={state}
              rows={8}
            />
            <Checkboxes name="themes" label="Themes" state={state} options={THEME_OPTIONS} />
            <Checkboxes name="addressees" label="Addressed to" state={state} options={ADDRESSEE_OPTIONS} />
            <TextField name="decidedOn" label="Decided on" hint={DATE_HINT} state={state} required />
            <Source prefix="source" state={state} documents={documents} required />
            <Relations state={state} revision />
            <TextArea name="rationale" label="Rationale" hint="Why the text changed, as the source says." state={state} rows={3} required />
          </>
        ) : null}
        {kind === 'endorse' && stance ? (
          <>
            <SelectField
              name="revision"
              label="Text revision endorsed"
              state={state}
              required
              options={Array.from(
                { length: stance.revision },
                (_, i) => [String(i + 1), `revision ${i + 1}${i + 1 === stance.revision ? ' (in force)' : ''}`] as const,
              ).reverse()}
            />
            <TextField name="endorsedBy" label="Endorsed by" hint="The body that endorsed it, as the source names it." state={state} required />
            <TextField name="decidedOn" label="Endorsed on" hint={DATE_HINT} state={state} required />
            <TextArea
              name="reference"
              label="Reference (optional)"
              hint="Where the endorsement is recorded: minutes, a document, a page."
              state={state}
              rows={2}
            />
          </>
        ) : null}
        {kind === 'withdraw' ? (
          <>
            <TextField name="decidedOn" label="Withdrawn on" hint={DATE_HINT} state={state} required />
            <TextArea name="reason" label="Reason" state={state} rows={3} required />
          </>
        ) : null}
        {kind === 'correct' && stance ? <CorrectionControls deps={deps} stance={stance} state={state} documents={documents} /> : null}
        <button type="submit">{kind === 'add' ? 'Add the position' : form.verb}</button>
      </form>
    </>
  );
}

function Source({
  prefix,
  state,
  documents,
  required,
}: {
  prefix: string;
  state: FormState;
  documents: readonly (readonly [string, string])[];
  required?: boolean;
}) {
  return (
    <fieldset class="field">
      <legend>Source{required ? '' : ' (only if it was recorded wrongly)'}</legend>
      <SelectField name={`${prefix}.documentId`} label="Document" state={state} required={required} options={documents} />
      <TextField
        name={`${prefix}.locator`}
        label="Where in the document"
        hint="Section, item or paragraph, e.g. “bullet 1”."
        state={state}
        required={required}
      />
      <TextArea name={`${prefix}.quote`} label="Verbatim quote (optional)" state={state} rows={3} />
    </fieldset>
  );
}

/** The earlier positions a text relates to: a row each, filled in only for those it names (a revision adds to what earlier texts named). */
function Relations({ state, revision }: { state: FormState; revision?: boolean }) {
  const error = fieldErrors(state.problem).get('relatesTo');
  return (
    <fieldset class="field relations" id={controlId('relatesTo')} tabIndex={-1} aria-describedby={error ? `${controlId('relatesTo')}-error` : undefined}>
      <legend>{revision ? 'Relates to, newly with this text (optional)' : 'Relates to (optional)'}</legend>
      <p class="hint">
        An earlier position this text says again, extends, readdresses or responds to, by its id (e.g. <code>eu-4</code>)
        {revision ? '. The relations earlier texts named stay.' : '.'}
      </p>
      {error ? (
        <p class="field-error" id={`${controlId('relatesTo')}-error`}>
          {error}
        </p>
      ) : null}
      {Array.from({ length: RELATION_ROWS }, (_, i) => (
        <div class="relation-row">
          <TextField name={`relatesTo.${i}.positionId`} label={`Position ${i + 1}`} state={state} />
          <SelectField name={`relatesTo.${i}.kind`} label={`How position ${i + 1} is related`} state={state} options={RELATION_OPTIONS} blank="(choose)" />
        </div>
      ))}
    </fieldset>
  );
}

function CorrectionControls({
  deps,
  stance,
  state,
  documents,
}: {
  deps: ApiDeps;
  stance: Stance;
  state: FormState;
  documents: readonly (readonly [string, string])[];
}) {
  const entries = deps.projection.positionTimeline(stance.id) ?? [];
  return (
    <>
      <SelectField
        name="eventId"
        label="The recorded decision that is wrong"
        state={state}
        required
        options={entries.map(
          (e) => [e.eventId, `${EVENT_LABEL[e.type]}, decided ${businessDateLabel(e.decidedOn)}, recorded ${instantLabel(e.recordedAt)}`] as const,
        )}
      />
      <fieldset class="field" id="f-changes" tabIndex={-1}>
        <legend>Correct values (fill in only what was recorded wrongly)</legend>
        <TextField name="changes.decidedOn" label="Decided on" hint={DATE_HINT} state={state} />
        <TextField name="changes.title" label="Title" state={state} />
        <TextArea name="changes.statement" label="Statement" state={state} rows={4} />
        <TextField name="changes.endorsedBy" label="Endorsed by" state={state} />
        <TextField name="changes.reference" label="Reference" state={state} />
        <TextArea name="changes.rationale" label="Rationale" state={state} rows={2} />
        <TextArea name="changes.reason" label="Reason for a withdrawal" state={state} rows={2} />
        <Source prefix="changes.source" state={state} documents={documents} />
      </fieldset>
      <TextArea
        name="reason"
        label="Why this is a correction"
        hint="What was recorded wrongly; the original stays visible beside the correction."
        state={state}
        rows={3}
        required
      />
    </>
  );
}
