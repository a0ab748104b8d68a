import type { z } from 'zod';
import { AddPositionBody, CorrectRecordBody, EndorsePositionBody, RevisePositionBody, WithdrawPositionBody, type PositionCommand } from '../../domain/commands';
import type { Stance } from '../../projections/stance';
import { ProblemError, validationProblem } from '../../api/problem';

/**
 * A form as the browser sends it (application/x-www-form-urlencoded, one value or a list per
 * name). Controls are named after the command body's paths (`source.locator`, `changes.title`),
 * so a problem's `field` names the control it is about.
 */
export type FormFields = Record<string, string | string[] | undefined>;

/** The hidden fields every recording form carries besides the command's own. */
export const FORM_META = { csrf: '_csrf', key: '_key', etag: '_etag' } as const;

export type FormKind = 'add' | 'revise' | 'endorse' | 'withdraw' | 'correct';

/** One value of a control, line endings as typed (browsers send CRLF), blank as absent. */
export function textOf(fields: FormFields, name: string): string | undefined {
  const raw = fields[name];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.replace(/\r\n?/g, '\n').trim();
  return value ? value : undefined;
}

export function listOf(fields: FormFields, name: string): string[] {
  const raw = fields[name];
  return (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]).filter((v) => v !== '');
}

/** The form's fields without the CSRF token: what the Idempotency-Key stands for (a double submit sends the same). */
export function submittedFields(fields: FormFields): FormFields {
  const { [FORM_META.csrf]: _csrf, ...rest } = fields;
  return rest;
}

/** A citation from its controls; a required one is always an object, so a blank control is the field named in the problem. */
const source = (fields: FormFields, prefix = 'source', required = true) => {
  const documentId = textOf(fields, `${prefix}.documentId`);
  const locator = textOf(fields, `${prefix}.locator`);
  const quote = textOf(fields, `${prefix}.quote`);
  if (!required && documentId === undefined && locator === undefined && quote === undefined) return undefined;
  return { documentId, locator, ...(quote ? { quote } : {}) };
};

/** How many relations a form offers at once (the API takes up to 20; a text rarely names more than one or two). */
export const RELATION_ROWS = 3;

const relationRows = (fields: FormFields) =>
  Array.from({ length: RELATION_ROWS }, (_, i) => ({ positionId: textOf(fields, `relatesTo.${i}.positionId`), kind: textOf(fields, `relatesTo.${i}.kind`) }));

/** The relations filled in (`relatesTo.<i>.positionId` and `.kind`), blank rows left out; a half-filled row is sent, so the problem names its blank control. */
const relations = (fields: FormFields) => relationRows(fields).filter((r) => r.positionId !== undefined || r.kind !== undefined);

/**
 * The form as sent, its relation rows moved up over blank ones: the rows are then numbered as the
 * command's relations are, so a problem about `relatesTo.1.positionId` is shown beside the row it
 * is about, and the form comes back as it will be read.
 */
export function inFormOrder(fields: FormFields): FormFields {
  const rest = Object.fromEntries(Object.entries(fields).filter(([name]) => !name.startsWith('relatesTo.')));
  return {
    ...rest,
    ...Object.fromEntries(
      relations(fields).flatMap((r, i) => [
        [`relatesTo.${i}.positionId`, r.positionId],
        [`relatesTo.${i}.kind`, r.kind],
      ]),
    ),
  };
}

const integer = (value: string | undefined) => (value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : value);

const same = (a: unknown, b: unknown) => JSON.stringify(Array.isArray(a) ? [...a].sort() : a) === JSON.stringify(Array.isArray(b) ? [...b].sort() : b);

/** Only what the reader changed: a revision records the fields it changes, not a copy of the others. */
const ifChanged = <T>(value: T | undefined, current: unknown): T | undefined => (value === undefined || same(value, current) ? undefined : value);

const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));

/** The command body a form makes, before validation (the API's zod schema validates it as it does a JSON body). */
export function bodyOf(kind: FormKind, fields: FormFields, current?: Stance): Record<string, unknown> {
  switch (kind) {
    case 'add':
      return defined({
        id: textOf(fields, 'id'),
        title: textOf(fields, 'title'),
        statement: textOf(fields, 'statement'),
        themes: listOf(fields, 'themes'),
        addressees: listOf(fields, 'addressees'),
        decidedOn: textOf(fields, 'decidedOn'),
        source: source(fields),
        relatesTo: relations(fields),
        note: textOf(fields, 'note'),
      });
    case 'revise':
      return defined({
        title: ifChanged(textOf(fields, 'title'), current?.title),
        statement: ifChanged(textOf(fields, 'statement'), current?.statement),
        themes: ifChanged(listOf(fields, 'themes'), current?.themes),
        addressees: ifChanged(listOf(fields, 'addressees'), current?.addressees),
        decidedOn: textOf(fields, 'decidedOn'),
        source: source(fields),
        relatesTo: relations(fields),
        rationale: textOf(fields, 'rationale'),
      });
    case 'endorse':
      return defined({
        revision: integer(textOf(fields, 'revision')),
        endorsedBy: textOf(fields, 'endorsedBy'),
        decidedOn: textOf(fields, 'decidedOn'),
        reference: textOf(fields, 'reference'),
      });
    case 'withdraw':
      return defined({ decidedOn: textOf(fields, 'decidedOn'), reason: textOf(fields, 'reason') });
    case 'correct': {
      const changes = defined({
        title: textOf(fields, 'changes.title'),
        statement: textOf(fields, 'changes.statement'),
        decidedOn: textOf(fields, 'changes.decidedOn'),
        source: source(fields, 'changes.source', false),
        endorsedBy: textOf(fields, 'changes.endorsedBy'),
        reference: textOf(fields, 'changes.reference'),
        rationale: textOf(fields, 'changes.rationale'),
        reason: textOf(fields, 'changes.reason'),
      });
      return defined({ eventId: textOf(fields, 'eventId'), changes, reason: textOf(fields, 'reason') });
    }
  }
}

/** A blank control is "required" to a reader, not zod's "expected string, received undefined". */
function readable(problem: ProblemError): ProblemError {
  const say = (message: string) => (/received undefined/.test(message) ? 'required: fill this in' : message);
  const errors = problem.errors?.map((e) => ({ field: e.field, message: say(e.message) }));
  const first = errors?.[0];
  return new ProblemError(problem.status, problem.code, problem.title, first ? `${first.field}: ${first.message}` : problem.detail, problem.field, errors);
}

const SCHEMAS = {
  add: AddPositionBody,
  revise: RevisePositionBody,
  endorse: EndorsePositionBody,
  withdraw: WithdrawPositionBody,
  correct: CorrectRecordBody,
} as const;
const TYPES = { add: 'AddPosition', revise: 'RevisePosition', endorse: 'EndorsePosition', withdraw: 'WithdrawPosition', correct: 'CorrectRecord' } as const;

/** The command a form asks for, validated by the same schema as the API's body (a 400 naming the control otherwise). */
export function commandOf(kind: FormKind, fields: FormFields, positionId: string | undefined, current?: Stance): PositionCommand {
  const schema: z.ZodType = SCHEMAS[kind];
  const result = schema.safeParse(bodyOf(kind, fields, current));
  if (!result.success) throw readable(validationProblem(result.error, 'body'));
  return (kind === 'add' ? { type: TYPES[kind], data: result.data } : { type: TYPES[kind], positionId, data: result.data }) as PositionCommand;
}
