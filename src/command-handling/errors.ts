/** The client's If-Match no longer matches the stream: someone else recorded a change first. */
export class StaleRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`${streamId} is at stream revision ${actual} (ETag "${actual}"), not ${expected} as If-Match said: reload it and decide again`);
    this.name = 'StaleRevisionError';
  }
}

/** The same Idempotency-Key was sent before with a different request. */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly key: string) {
    super(`Idempotency-Key "${key}" was already used for a different request`);
    this.name = 'IdempotencyKeyReusedError';
  }
}
