// Moved to src/command-handling/errors.ts; kept while branches in flight still import it here.
export * from '../command-handling/errors';
