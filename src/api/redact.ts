/**
 * No credential may reach a log line, an error or a response, wherever a client put it: in the
 * Authorization header (never logged), in a query parameter (`?access_token=…`), or pasted anywhere
 * else in a URL. Values of parameters named like credentials are always masked; the configured
 * tokens and anything shaped like a named API key are masked wherever they appear.
 */
export const REDACTED = '[redacted]';

const CREDENTIAL_PARAM =
  /^(access[_-]?token|token|api[_-]?key|apikey|key|password|passwd|pwd|secret|client[_-]?secret|auth|authorization|bearer|refresh[_-]?token|id[_-]?token|session|sig|signature)$/i;
/** the shape of a named API key (see src/keys): its id may show, its secret never */
export const API_KEY_PATTERN = /\b(plk_[0-9a-f]{12})_[A-Za-z0-9_-]{16,}/g;

export type Redact = (text: string) => string;

export function redactor(secrets: Iterable<string> = []): Redact {
  const forms = [...new Set([...secrets].filter((s) => s.length > 0).flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) => {
    let out = text.replace(API_KEY_PATTERN, `$1_${REDACTED}`);
    for (const secret of forms) out = out.split(secret).join(REDACTED);
    return redactQuery(out);
  };
}

/** Masks the values of credential-named parameters in every query string within the text. */
function redactQuery(text: string): string {
  return text.replace(/([?&;])([^=&#\s"?]+)=([^&#\s"]*)/g, (whole, sep: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // a malformed escape: judge the name as sent
    }
    return CREDENTIAL_PARAM.test(decoded) ? `${sep}${name}=${REDACTED}` : whole;
  });
}
