import type { Page } from '../../projections/read-model';
import { href } from '../query';

/** Paging by the read model's opaque cursor: the first page, and the next one while there is one. */
export function Pager<T>({
  path,
  params,
  page,
  cursor,
}: {
  path: string;
  params: Record<string, string | number | undefined>;
  page: Page<T>;
  cursor?: string;
}) {
  if (!cursor && !page.next) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <span>
        {page.items.length} of {totalLabel(page)} shown
      </span>
      {cursor ? <a href={href(path, params)}>First page</a> : null}
      {page.next ? (
        <a href={href(path, { ...params, cursor: page.next })} rel="next">
          Next page
        </a>
      ) : null}
    </nav>
  );
}

/** A list's total as a reader reads it: "1,000+" when counting stopped there. */
export function totalLabel(page: Pick<Page<unknown>, 'total' | 'totalCapped'>): string {
  return `${page.total.toLocaleString('en')}${page.totalCapped ? '+' : ''}`;
}
