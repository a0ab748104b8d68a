import { z } from 'zod';
import { BusinessDateText } from './business-date';
import { AddresseeId, ThemeId } from './themes';

export const Slug = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case letters, digits and single hyphens, e.g. "eu-free-movement"');

// Control characters and lone UTF-16 surrogates cannot be cited, displayed or exported faithfully.
// As a pattern (not a refinement), so that the JSON Schemas and the OpenAPI document say it too:
// no control character, and at least one that is not white space (the text is trimmed).
const CONTROL = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f';
// (leading white space, then a character that is neither: one way to match, so linear time on any input)
const PRINTABLE_TEXT = new RegExp(`^[^\\S\\u000b\\u000c]*[^\\s${CONTROL}][^${CONTROL}]*$`);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const Text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max)
    .regex(PRINTABLE_TEXT, 'must not contain control characters (other than tab and line breaks)')
    .refine((s) => !LONE_SURROGATE.test(s), 'must be well-formed Unicode (a lone surrogate is not a character)');

export const Title = Text(300);
export const Statement = Text(10_000);
export const Reason = Text(4_000);
export const Themes = z.array(ThemeId).min(1).max(15).refine(unique, 'must not repeat a theme').meta({ uniqueItems: true });
export const Addressees = z.array(AddresseeId).min(1).max(3).refine(unique, 'must not repeat an addressee').meta({ uniqueItems: true });

export const SourceCitation = z
  .strictObject({
    documentId: Slug.meta({ description: 'id of a registered source document', example: 'political-recommendations' }),
    locator: Text(500).meta({ description: 'where in the document: section, item, paragraph' }),
    quote: Text(10_000).optional().meta({ description: 'verbatim passage from the document' }),
  })
  .meta({ id: 'SourceCitation' });
export type SourceCitation = z.infer<typeof SourceCitation>;

/**
 * How a position relates to an earlier one: lineage between positions, which a revision cannot
 * express (a revision is only for a restatement of the same position).
 */
export const RELATION_KINDS = {
  restates: 'says again, in another place, what the related position says',
  extends: 'asks the same addressees something further on the subject of the related position',
  readdresses: 'asks other addressees what the related position asked',
  'responds-to': 'reacts to what became of the related position (e.g. welcomes the recognition it asked for)',
} as const;
export type RelationKind = keyof typeof RELATION_KINDS;
export const RelationKind = z.enum(Object.keys(RELATION_KINDS) as [RelationKind, ...RelationKind[]]).meta({
  description: Object.entries(RELATION_KINDS)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; '),
});

export const PositionRelation = z
  .strictObject({
    positionId: Slug.meta({ description: 'id of the earlier position this one relates to', example: 'eu-4' }),
    kind: RelationKind,
  })
  .meta({ id: 'PositionRelation' });
export type PositionRelation = z.infer<typeof PositionRelation>;

export const Relations = z
  .array(PositionRelation)
  .min(1)
  .max(20)
  .refine((rs) => unique(rs.map((r) => r.positionId)), 'must not name a position twice')
  .meta({ description: 'positions this text relates to, and how. The server also refuses (400) a list that names a position twice.' });

export { BusinessDateText };

function unique(values: readonly string[]): boolean {
  return new Set(values).size === values.length;
}
