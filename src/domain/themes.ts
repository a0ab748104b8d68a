import { z } from 'zod';

/**
 * The theme taxonomy. Themes are editorial classification, not source text, so the taxonomy is
 * versioned: a change of meaning or a removal bumps THEMES_VERSION, and docs/themes.md says why.
 */
export const THEMES_VERSION = '1';

export const THEMES = {
  governance: 'Multi-level governance and the role of cities: consultation, partnership, participation in policy making',
  'competences-funding': 'Competences of cities and the funding that goes with them',
  'asylum-reception': 'Asylum and the reception of newcomers',
  'undocumented-vulnerable': 'Undocumented migrants and vulnerable groups',
  'return-origin': 'Return and countries of origin',
  'fundamental-rights': 'Fundamental rights, human rights treaties and conventions',
  'citizenship-voting': 'Citizenship, residence and voting rights',
  'anti-discrimination': 'Anti-discrimination and equal opportunities',
  'social-cohesion': 'Social cohesion in cities',
  'monitoring-data': 'Monitoring, data and evaluation',
  'free-movement': 'Free movement of EU citizens',
  'public-discourse': 'Public and political discourse on migration',
  'international-cooperation': 'International cooperation, including with countries of origin',
  'city-exchange': 'Exchange and mutual learning between cities',
  'policy-coherence': 'Coherence and integration of policies across areas and levels',
} as const;

export type Theme = keyof typeof THEMES;
export const THEME_IDS = Object.keys(THEMES) as [Theme, ...Theme[]];
export const ThemeId = z.enum(THEME_IDS).meta({ description: `Theme id from taxonomy version ${THEMES_VERSION} (GET /api/themes)` });

export const ADDRESSEES = {
  cities: "The cities' own commitments",
  'national-governments': 'Recommendations to national governments',
  'eu-institutions': 'Recommendations to the EU institutions',
} as const;
export type Addressee = keyof typeof ADDRESSEES;
export const AddresseeId = z.enum(Object.keys(ADDRESSEES) as [Addressee, ...Addressee[]]);
