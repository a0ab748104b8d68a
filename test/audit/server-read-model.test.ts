import { fetchServerReadModel } from '../../src/audit/server-read-model';

describe("a server's read model, read through its API", () => {
  it('follows the positions list page by page (it is paged) to the end', async () => {
    const version = { events: 3, lastPosition: '3', digest: 'abc' };
    const asked: string[] = [];
    const fake = (async (url: URL) => {
      asked.push(`${url.pathname}${url.search}`);
      const body = url.pathname.endsWith('/documents')
        ? { documents: [] }
        : url.searchParams.get('cursor') === null
          ? { positions: [{ id: 'a' }, { id: 'b' }], next: 'page-2', ledgerVersion: version }
          : { positions: [{ id: 'c' }], next: null, ledgerVersion: version };
      return new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch;
    const model = await fetchServerReadModel('http://127.0.0.1:1', fake);
    expect(model.positions.map((p) => p.id)).toEqual(['a', 'b', 'c']);
    expect(model.version).toEqual(version);
    expect(asked).toEqual(['/api/positions?limit=500', '/api/positions?limit=500&cursor=page-2', '/api/documents']);
  });
});
