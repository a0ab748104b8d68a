import { z } from 'zod';

/** RFC 9457 problem details, as every error of the API is sent (application/problem+json). */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    code: z.string().meta({ description: 'stable machine-readable code' }),
    field: z.string().optional().meta({ description: 'the input that is wrong, as a dotted path' }),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof Problem>;

export const PROBLEM_TYPE = (code: string) => `urn:position-ledger:problem:${code}`;

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly field?: string,
    readonly errors?: { field: string; message: string }[],
  ) {
    super(detail);
    this.name = 'ProblemError';
  }

  /** seconds for a Retry-After header (503: the storage may take writes again by then) */
  retryAfterSeconds?: number;

  toProblem(instance?: string): Problem {
    const p: Problem = { type: PROBLEM_TYPE(this.code), title: this.title, status: this.status, detail: this.detail, code: this.code };
    if (instance) p.instance = instance;
    if (this.field !== undefined) p.field = this.field;
    if (this.errors) p.errors = this.errors;
    return p;
  }
}

/** A zod failure as a 400 that names every failing field; the detail names the first. */
export function validationProblem(error: z.ZodError, where: 'body' | 'query' | 'header' | 'path', prefix = ''): ProblemError {
  const errors = error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => [path, k].filter(Boolean).join('.'));
      return { field: keys.join(', '), message: `unknown field${keys.length > 1 ? 's' : ''}: not part of this request` };
    }
    return { field: path || where, message: issue.message };
  });
  const first = errors[0]!;
  return new ProblemError(400, 'validation', 'Invalid request', `${where} ${first.field}: ${first.message}`, first.field, errors);
}
