import type { ComponentChildren } from 'preact';
import type { LedgerVersion } from '../projections/ledger-projection';
import { ASSET } from './assets';

/** Who is signed in, when someone is (the session middleware puts it in res.locals.viewer). */
export interface Viewer {
  readonly role: 'secretariat' | 'auditor';
  /** the recorded identity (role and token digest), never the token */
  readonly id?: string;
  /** the person's name, when signed in with a named key */
  readonly name?: string;
  readonly csrfToken?: string;
  /** what the last form did ("Recorded: revised …"), shown once */
  readonly flash?: string;
}

/** The site's navigation, in order; a page is "current" when the path starts with its href. */
export const NAV: ReadonlyArray<{ href: string; label: string; roles?: readonly Viewer['role'][] }> = [
  { href: '/', label: 'Overview' },
  { href: '/positions', label: 'Positions' },
  { href: '/timeline', label: 'Timeline' },
  { href: '/documents', label: 'Documents' },
  { href: '/api/docs', label: 'API' },
  { href: '/audit', label: 'Audit', roles: ['auditor'] },
];

interface LayoutProps {
  readonly title: string;
  readonly path: string;
  readonly version: LedgerVersion;
  readonly viewer?: Viewer;
  readonly scripts?: readonly string[];
  readonly styles?: readonly string[];
  readonly children: ComponentChildren;
}

export function Layout({ title, path, version, viewer, scripts = [], styles = [], children }: LayoutProps) {
  const isCurrent = (href: string) => (href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`));
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Position ledger`}</title>
        {/* an empty icon: without it every page asks for /favicon.ico and logs a 404 in the console */}
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={ASSET.css} />
        {styles.map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
        <script src={ASSET.js} defer />
        {scripts.map((src) => (
          <script src={src} defer />
        ))}
      </head>
      {/* the live feed (client/live.ts) continues from the ledger position this page was rendered at */}
      <body data-ledger-position={version.lastPosition ?? ''}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="site">
          <a class="brand" href="/">
            Position ledger
            <span class="tagline">EUROCITIES positions on migrant integration, since 2006</span>
          </a>
          <nav aria-label="Main">
            <ul>
              {NAV.filter((item) => !item.roles || (viewer && item.roles.includes(viewer.role))).map((item) => (
                <li>
                  <a href={item.href} aria-current={isCurrent(item.href) ? 'page' : undefined}>
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <Account viewer={viewer} path={path} />
        </header>
        <main id="main" tabIndex={-1}>
          {viewer?.flash ? (
            <p class="flash" role="status">
              {viewer.flash}
            </p>
          ) : null}
          {children}
        </main>
        <footer class="site">
          <p>
            Ledger version <span class="ledger-version">{version.version}</span>
            {version.digest ? ` (digest ${version.digest.slice(0, 16)}…)` : ''}. Every page is a citable URL; add <code>version={version.version}</code> to it
            and it shows this very state of the ledger for good.
          </p>
          <p>
            <a href="/api/openapi.json">OpenAPI</a> · <a href="/api/docs">API reference</a> · <a href="/health">Health</a>
          </p>
        </footer>
      </body>
    </html>
  );
}

/** Who is signed in and a way out, or a way in (the sign-out is a POST with the session's form token). */
function Account({ viewer, path }: { viewer?: Viewer; path: string }) {
  if (!viewer) {
    return path === '/signin' ? null : (
      <a class="account" href={`/signin?next=${encodeURIComponent(path)}`}>
        Sign in
      </a>
    );
  }
  return (
    <form class="account" method="post" action="/signout">
      <span>
        {viewer.name !== undefined ? (
          <>
            Signed in: {viewer.name} ({viewer.role})
          </>
        ) : (
          <>Signed in: {viewer.role}</>
        )}
        {viewer.id && viewer.name === undefined ? <span class="visually-hidden"> ({viewer.id})</span> : null}
      </span>
      <input type="hidden" name="_csrf" value={viewer.csrfToken ?? ''} />
      <button type="submit" class="secondary">
        Sign out
      </button>
    </form>
  );
}

export function versionLabel(version: LedgerVersion): string {
  return `${version.version}/${(version.digest ?? 'empty').slice(0, 8)}`;
}
