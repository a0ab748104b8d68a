// Moved to src/domain/ledger-event.ts; kept while branches in flight still import it here.
export * from '../domain/ledger-event';
