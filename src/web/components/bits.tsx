import { ADDRESSEES, THEME_IDS, type Addressee, type Theme } from '../../domain/themes';
import type { LedgerVersion } from '../../projections/ledger-projection';
import type { Status } from '../../projections/stance';
import { versionLabel } from '../layout';
import { addresseeLabel, themeLabel } from '../format';
import { href } from '../query';

export function StatusBadge({ status }: { status: Status }) {
  return <span class={`status status-${status}`}>{status}</span>;
}

export function ThemeTags({ themes, asOf }: { themes: readonly Theme[]; asOf?: string }) {
  return (
    <>
      {themes.map((t) => (
        <a class="tag" href={href('/positions', { theme: t, asOf })}>
          {themeLabel(t)}
        </a>
      ))}
    </>
  );
}

export function AddresseeTags({ addressees, asOf }: { addressees: readonly Addressee[]; asOf?: string }) {
  return (
    <>
      {addressees.map((a) => (
        <a class="tag" href={href('/positions', { addressee: a, asOf })}>
          {addresseeLabel(a)}
        </a>
      ))}
    </>
  );
}

/** Download links for the API's export of the same view, each naming the ledger version it cites. */
export function ExportLinks({ path, params, version }: { path: string; params: Record<string, string | number | undefined>; version: LedgerVersion }) {
  return (
    <p class="exports">
      <span>Download this view (cites ledger version {versionLabel(version)}):</span>
      <a href={href(path, { ...params, format: 'csv' })} download>
        CSV
      </a>
      <a href={href(path, { ...params, format: 'ndjson' })} download>
        NDJSON
      </a>
      <a href={href(path, params)}>JSON</a>
    </p>
  );
}

export function Select<T extends string>({
  id,
  name,
  label,
  value,
  options,
}: {
  id: string;
  name: string;
  label: string;
  value?: T;
  options: readonly (readonly [T, string])[];
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} name={name}>
        <option value="">any</option>
        <Options options={options} value={value} />
      </select>
    </div>
  );
}

/** The options of a select, the one whose value is `value` selected. */
export function Options({ options, value }: { options: readonly (readonly [string, string])[]; value?: string }) {
  return (
    <>
      {options.map(([v, text]) => (
        <option value={v} selected={v === value}>
          {text}
        </option>
      ))}
    </>
  );
}

export function excerpt(text: string, max = 220): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max);
  return `${text.slice(0, cut > max / 2 ? cut : max)}…`;
}

/** The theme and addressee filters of a list page, each with its id prefixed (`f-theme`, `t-theme`). */
export function ThemeAddresseeSelects({ prefix, theme, addressee }: { prefix: string; theme?: Theme; addressee?: Addressee }) {
  return (
    <>
      <Select id={`${prefix}-theme`} name="theme" label="Theme" value={theme} options={THEME_IDS.map((t) => [t, themeLabel(t)] as const)} />
      <Select
        id={`${prefix}-addressee`}
        name="addressee"
        label="Addressed to"
        value={addressee}
        options={(Object.keys(ADDRESSEES) as Addressee[]).map((a) => [a, addresseeLabel(a)] as const)}
      />
    </>
  );
}
