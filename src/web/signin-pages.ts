import type { Principal } from '../api/auth';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · position-ledger</title></head>
<body><header><a href="/">position-ledger</a></header><main id="main">${body}</main></body></html>`;
}

export function signinPage(p: { csrf: string; next?: string; error?: string; principal?: Principal; signedOut?: boolean }): string {
  const already = p.principal ? `<p>You are signed in as <strong>${escape(p.principal.id)}</strong>. Signing in again replaces that session.</p>` : '';
  const out = p.signedOut ? '<p role="status">You are signed out.</p>' : '';
  const error = p.error ? `<p id="token-error" class="field-error">${escape(p.error)}</p>` : '';
  return layout(
    'Sign in',
    `<h1>Sign in</h1>${out}${already}
<p>The secretariat signs in to record decisions; auditors sign in to check the record. Paste the token you were given: it is exchanged for a session and never stored in your browser.</p>
<form method="post" action="/signin">
<input type="hidden" name="_csrf" value="${escape(p.csrf)}">
${p.next ? `<input type="hidden" name="next" value="${escape(p.next)}">` : ''}
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="off" required${p.error ? ' aria-invalid="true" aria-describedby="token-error"' : ''}>
${error}
<button type="submit">Sign in</button>
</form>`,
  );
}

export function signoutPage(p: { csrf: string; principal?: Principal }): string {
  return layout(
    'Sign out',
    `<h1>Sign out</h1>
${p.principal ? `<p>You are signed in as <strong>${escape(p.principal.id)}</strong>.</p>` : '<p>You are not signed in.</p>'}
<form method="post" action="/signout"><input type="hidden" name="_csrf" value="${escape(p.csrf)}"><button type="submit">Sign out</button></form>`,
  );
}

export function expiredFormPage(p: { csrf: string; retry: string }): string {
  return layout(
    'Form expired',
    `<h1>This form has expired</h1>
<p>The form was not sent from a page of this session (it may have been open since before your session ended). Nothing was recorded.</p>
<p><a href="${escape(p.retry)}">Open it again</a>.</p>`,
  );
}
