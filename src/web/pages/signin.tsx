import type { Principal } from '../../api/auth';

/** /signin: a token exchanged for a session; the error, if any, beside the field. */
export function SigninForm({
  csrf,
  next,
  error,
  principal,
  signedOut,
  publicReads = true,
}: {
  csrf: string;
  publicReads?: boolean;
  next?: string;
  error?: string;
  principal?: Principal;
  signedOut?: boolean;
}) {
  return (
    <>
      <h1>Sign in</h1>
      {signedOut ? <p role="status">You are signed out.</p> : null}
      {principal ? (
        <p>
          You are signed in as <Who principal={principal} />. Signing in again replaces that session.
        </p>
      ) : null}
      <p>
        The secretariat signs in to record the working group's decisions; auditors sign in to check the record.{' '}
        {publicReads ? 'Reading needs no sign-in.' : 'This ledger is read by signed-in people only.'} Paste the key (or token) you were given: it is exchanged
        for a session that ends after a few hours, and is never kept in your browser.
      </p>
      <form method="post" action="/signin" class="record-form">
        <input type="hidden" name="_csrf" value={csrf} />
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <div class="field">
          <label for="token">Key or token</label>
          {error ? (
            <p class="field-error" id="token-error">
              {error}
            </p>
          ) : null}
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            required
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'token-error' : undefined}
          />
        </div>
        <button type="submit">Sign in</button>
      </form>
    </>
  );
}

export function SignoutForm({ csrf, principal }: { csrf: string; principal?: Principal }) {
  return (
    <>
      <h1>Sign out</h1>
      {principal ? (
        <p>
          You are signed in as <Who principal={principal} /> ({principal.role}).
        </p>
      ) : (
        <p>You are not signed in.</p>
      )}
      <form method="post" action="/signout">
        <input type="hidden" name="_csrf" value={csrf} />
        <button type="submit">Sign out</button>
      </form>
    </>
  );
}

/** The person's name for a named key (with its id), the recorded identity for an LEDGER_TOKENS token. */
function Who({ principal }: { principal: Principal }) {
  return principal.name !== undefined ? (
    <>
      <strong>{principal.name}</strong> (key <span class="mono">{principal.keyId}</span>)
    </>
  ) : (
    <span class="mono">{principal.id}</span>
  );
}

/** A form without this session's token: forged elsewhere, or rendered before the session ended. */
export function ExpiredForm({ retry }: { retry: string }) {
  return (
    <>
      <h1>This form has expired</h1>
      <div class="problem" role="alert">
        <p>
          <strong>Nothing was recorded.</strong> The form was not sent from a page of your current session: it may have been open since before your session
          ended, or it came from another site.
        </p>
      </div>
      <p>
        <a href={retry}>Open it again</a>
      </p>
    </>
  );
}
