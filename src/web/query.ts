import type { Request } from 'express';
import type { z } from 'zod';
import { parseQuery } from '../api/validate';

/**
 * A page's query, validated by the API's own schema (one definition of each filter). A form sends
 * its empty fields as `theme=`: those mean "not set", so they are dropped before validation.
 */
export function pageQuery<S extends z.ZodType>(schema: S, req: Request, defaults: Record<string, string> = {}): z.infer<S> {
  const query = { ...defaults, ...Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== '')) };
  return parseQuery(schema, { query } as Request);
}

/** A link to `path` with these query parameters (unset ones left out), so every view has one URL. */
export function href(path: string, params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `${path}?${s}` : path;
}
