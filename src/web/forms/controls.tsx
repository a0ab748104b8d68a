import type { ComponentChildren } from 'preact';
import type { Problem } from '../../api/problem';
import { FORM_META, listOf, textOf, type FormFields } from './form-fields';
import { Options } from '../components/bits';

/** What a form is rendered with: the values to show, the problem the last submission met, and its hidden fields. */
export interface FormState {
  readonly fields: FormFields;
  readonly problem?: Problem;
  readonly csrf: string;
  readonly key: string;
  readonly etag?: string;
}

/** A control's id from its name (`source.locator` → `f-source-locator`): the problem's field finds its control. */
export const controlId = (name: string) => `f-${name.replace(/[^a-zA-Z0-9]+/g, '-')}`;
const errorId = (name: string) => `${controlId(name)}-error`;
const hintId = (name: string) => `${controlId(name)}-hint`;

/** Each field's message; a problem without per-field errors names one field (or none). */
export function fieldErrors(problem: Problem | undefined): Map<string, string> {
  const errors = new Map<string, string>();
  if (!problem) return errors;
  for (const e of problem.errors ?? []) if (!errors.has(e.field)) errors.set(e.field, e.message);
  if (problem.field !== undefined && !errors.has(problem.field)) errors.set(problem.field, problem.detail);
  return errors;
}

/** The problem at the top of the form, each field's message linking to its control (or plain, for a field the form has no control for). */
export function ErrorSummary({ problem, controls }: { problem?: Problem; controls: readonly string[] }) {
  if (!problem) return null;
  const errors = [...fieldErrors(problem)];
  return (
    <div class="problem" role="alert" id="form-problem" tabIndex={-1}>
      <h2>Nothing was recorded: {problem.title.toLowerCase()}</h2>
      {errors.length === 0 ? <p>{problem.detail}</p> : null}
      <ul>
        {errors.map(([field, message]) => (
          <li>
            {controls.includes(field) ? (
              <a href={`#${controlId(field)}`}>{message}</a>
            ) : (
              <>
                {field}: {message}
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function HiddenFields({ state }: { state: FormState }) {
  return (
    <>
      <input type="hidden" name={FORM_META.csrf} value={state.csrf} />
      <input type="hidden" name={FORM_META.key} value={state.key} />
      {state.etag !== undefined ? <input type="hidden" name={FORM_META.etag} value={state.etag} /> : null}
    </>
  );
}

interface FieldProps {
  readonly name: string;
  readonly label: string;
  readonly hint?: ComponentChildren;
  readonly state: FormState;
  readonly required?: boolean;
}

/** The attributes that tie a control to its hint and its error (aria-describedby, aria-invalid). */
function described(name: string, state: FormState, hint: boolean) {
  const error = fieldErrors(state.problem).get(name);
  const ids = [hint ? hintId(name) : '', error ? errorId(name) : ''].filter(Boolean).join(' ');
  return { id: controlId(name), name, 'aria-describedby': ids || undefined, 'aria-invalid': error ? ('true' as const) : undefined };
}

function Messages({ name, hint, state }: { name: string; hint?: ComponentChildren; state: FormState }) {
  const error = fieldErrors(state.problem).get(name);
  return (
    <>
      {hint ? (
        <p class="hint" id={hintId(name)}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={errorId(name)}>
          {error}
        </p>
      ) : null}
    </>
  );
}

export function TextField({ name, label, hint, state, required }: FieldProps) {
  return (
    <div class="field">
      <label for={controlId(name)}>{label}</label>
      <Messages name={name} hint={hint} state={state} />
      <input type="text" {...described(name, state, !!hint)} value={textOf(state.fields, name) ?? ''} required={required} />
    </div>
  );
}

export function TextArea({ name, label, hint, state, required, rows = 6 }: FieldProps & { rows?: number }) {
  return (
    <div class="field">
      <label for={controlId(name)}>{label}</label>
      <Messages name={name} hint={hint} state={state} />
      <textarea {...described(name, state, !!hint)} rows={rows} required={required}>
        {textOf(state.fields, name) ?? ''}
      </textarea>
    </div>
  );
}

export function SelectField({
  name,
  label,
  hint,
  state,
  required,
  options,
  blank = '(unchanged)',
}: FieldProps & { options: readonly (readonly [string, string])[]; blank?: string }) {
  const value = textOf(state.fields, name);
  return (
    <div class="field">
      <label for={controlId(name)}>{label}</label>
      <Messages name={name} hint={hint} state={state} />
      <select {...described(name, state, !!hint)} required={required}>
        {required ? null : <option value="">{blank}</option>}
        <Options options={options} value={value} />
      </select>
    </div>
  );
}

/** A group of checkboxes (themes, addressees): a fieldset whose legend names it, the error tied to the group. */
export function Checkboxes({ name, label, hint, state, options }: FieldProps & { options: readonly (readonly [string, string])[] }) {
  const chosen = new Set(listOf(state.fields, name));
  const error = fieldErrors(state.problem).get(name);
  const ids = [hint ? hintId(name) : '', error ? errorId(name) : ''].filter(Boolean).join(' ');
  return (
    <fieldset class="field checkboxes" id={controlId(name)} tabIndex={-1} aria-describedby={ids || undefined}>
      <legend>{label}</legend>
      <Messages name={name} hint={hint} state={state} />
      {options.map(([v, text]) => (
        <label class="check">
          <input type="checkbox" name={name} value={v} checked={chosen.has(v)} /> {text}
        </label>
      ))}
    </fieldset>
  );
}
