// Moved to src/command-handling/ledger.ts; kept while branches in flight still import it here.
export * from '../command-handling/ledger';
