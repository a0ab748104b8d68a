import request from 'supertest';
import { composeLedger } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { apiSuite, AUDITOR, SECRETARIAT } from './suite';

apiSuite('sqlite', async () => new SqliteEventStore(':memory:', { pollIntervalMs: 20 }));

describe('HTTP API configuration', () => {
  it('with LEDGER_PUBLIC_READS=false, reads need a token of either role', async () => {
    const config = loadConfig({ LEDGER_TOKENS: `secretariat:${SECRETARIAT},auditor:${AUDITOR}`, LEDGER_SEED_ON_START: 'false', LEDGER_PUBLIC_READS: 'false' });
    const ledger = await composeLedger(config, { store: new SqliteEventStore(':memory:') });
    expect((await request(ledger.app).get('/api/positions')).status).toBe(401);
    expect((await request(ledger.app).get('/api/positions').set('Authorization', `Bearer ${AUDITOR}`)).status).toBe(200);
    expect((await request(ledger.app).get('/health')).status).toBe(200);
    await ledger.close();
  });

  it('with LEDGER_PUBLIC_READS=false, the pages ask a reader to sign in first, as the API asks for a token', async () => {
    const config = loadConfig({ LEDGER_TOKENS: `secretariat:${SECRETARIAT},auditor:${AUDITOR}`, LEDGER_PUBLIC_READS: 'false' });
    const ledger = await composeLedger(config, { store: new SqliteEventStore(':memory:') });
    for (const path of [
      '/',
      '/positions',
      '/positions/eu-4',
      '/positions/eu-4/diff?from=2010',
      '/timeline',
      '/documents',
      '/documents/home-affairs-contribution',
      '/api/docs',
    ]) {
      const page = await request(ledger.app).get(path);
      expect([path, page.status, page.headers.location]).toEqual([path, 303, `/signin?next=${encodeURIComponent(path)}`]);
      expect(page.text).not.toMatch(/equal partners|Home Affairs/);
    }
    const signin = await request(ledger.app).get('/signin');
    expect(signin.status).toBe(200);
    expect(signin.text).toMatch(/read by signed-in people only/);
    expect((await request(ledger.app).get('/assets/site.css')).status).toBe(200);
    const signedIn = await request(ledger.app).get('/positions/eu-4').set('Authorization', `Bearer ${AUDITOR}`);
    expect(signedIn.status).toBe(200);
    expect(signedIn.text).toMatch(/equal partners/);
    await ledger.close();
  });

  it('rate-limits per address with a 429 problem', async () => {
    const config = loadConfig({ LEDGER_SEED_ON_START: 'false', LEDGER_RATE_LIMIT_PER_MINUTE: '2' });
    const ledger = await composeLedger(config, { store: new SqliteEventStore(':memory:') });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await request(ledger.app).get('/api/themes')).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await request(ledger.app).get('/health')).status).toBe(200); // liveness probes are never limited
    await ledger.close();
  });

  it('refuses bad configuration with a clear message', () => {
    expect(() => loadConfig({ LEDGER_TOKENS: 'admin:whatever-123' })).toThrow(/entry 1 does not start with a role/);
    expect(() => loadConfig({ LEDGER_TOKENS: 'secretariat:short' })).toThrow(/at least 8 characters/);
    expect(() => loadConfig({ LEDGER_TOKENS: 'secretariat:verylongtoken,auditor:verylongtoken' })).toThrow(
      /same token is given to both secretariat and auditor/,
    );
    expect(() => loadConfig({ LEDGER_STORE: 'esdb' })).toThrow(/ESDB_CONNECTION_STRING/);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });
});
