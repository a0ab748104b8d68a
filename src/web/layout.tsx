import type { ComponentChildren } from 'preact';
import type { LedgerVersion } from '../projections/ledger-projection';
import { ASSET } from './assets';

/** Who is signed in, when someone is (the session middleware puts it in res.locals.viewer). */
export interface Viewer {
  readonly role: 'secretariat' | 'auditor';
  readonly csrfToken?: string;
}

/** The site's navigation, in order; a page is "current" when the path starts with its href. */
export const NAV: ReadonlyArray<{ href: string; label: string; roles?: readonly Viewer['role'][] }> = [
  { href: '/', label: 'Overview' },
  { href: '/positions', label: 'Positions' },
  { href: '/timeline', label: 'Timeline' },
  { href: '/documents', label: 'Documents' },
  { href: '/api/docs', label: 'API' },
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
        <link rel="stylesheet" href={ASSET.css} />
        {styles.map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
        <script src={ASSET.js} defer />
        {scripts.map((src) => (
          <script src={src} defer />
        ))}
      </head>
      <body>
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
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer class="site">
          <p>
            Ledger version <span class="ledger-version">{version.version}</span>
            {version.digest ? ` (digest ${version.digest.slice(0, 16)}…)` : ''}. Every page is a citable URL; add <code>version={version.version}</code> to
            it and it shows this very state of the ledger for good.
          </p>
          <p>
            <a href="/api/openapi.json">OpenAPI</a> · <a href="/api/docs">API reference</a> · <a href="/health">Health</a>
          </p>
        </footer>
      </body>
    </html>
  );
}

export function versionLabel(version: LedgerVersion): string {
  return `${version.version}/${(version.digest ?? 'empty').slice(0, 8)}`;
}
