import express from 'express';

/**
 * The peer of the one-position figure: a bare Express app, no middleware, answering the bytes the
 * ledger answered for the same position. Its p99 at the same rate is what this machine gives any
 * Express app (its scheduler, its garbage collector), beside which the ledger's p99 can be read.
 * Run as a process of its own (argv: port, then the body's JSON), as the ledger's server is.
 */
const [port, body] = process.argv.slice(2);
const app = express();
app.set('etag', false);
app.get('/api/positions/:id', (_req, res) => res.type('application/json').send(body));
app.listen(Number(port), '127.0.0.1', () => process.send?.('listening'));
