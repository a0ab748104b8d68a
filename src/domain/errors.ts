/**
 * Every refusal of a command is a DomainError with a stable code. `kind` says what sort of
 * refusal it is so that adapters can map it (HTTP: not-found 404, conflict 409, rule 422)
 * without the domain knowing about HTTP. `field` names the input that broke the rule.
 */
export type DomainErrorKind = 'not-found' | 'conflict' | 'rule';

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: DomainErrorKind,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const errors = {
  positionNotFound: (id: string) => new DomainError('position-not-found', 'not-found', `position "${id}" does not exist`),
  documentNotFound: (id: string) => new DomainError('document-not-found', 'not-found', `document "${id}" is not registered`),
  positionExists: (id: string) => new DomainError('position-exists', 'conflict', `position "${id}" already exists`, 'id'),
  documentExists: (id: string) => new DomainError('document-exists', 'conflict', `document "${id}" is already registered`, 'id'),
  beforeHistory: (date: string, start: string) =>
    new DomainError('before-history', 'rule', `decidedOn ${date} is entirely before the start of history (${start})`, 'decidedOn'),
  inFuture: (date: string, latest: string, today: string, suggestion?: string) =>
    new DomainError(
      'in-future',
      'rule',
      `decidedOn ${date} reaches into the future (it may be as late as ${latest}; today is ${today} in Brussels)` +
        (suggestion ? `; if the decision was taken by today, record it as ${suggestion}` : ''),
      'decidedOn',
    ),
  issuedInFuture: (date: string, latest: string, today: string) =>
    new DomainError(
      'in-future',
      'rule',
      `issuedOn ${date} reaches into the future (it may be as late as ${latest}; today is ${today} in Brussels)`,
      'issuedOn',
    ),
  unregisteredSource: (documentId: string, field = 'source.documentId') =>
    new DomainError('unregistered-source', 'rule', `source document "${documentId}" is not registered`, field),
  unknownRelatedPosition: (id: string, field: string) => new DomainError('unknown-related-position', 'rule', `related position "${id}" does not exist`, field),
  selfRelation: (field: string) => new DomainError('self-relation', 'rule', 'a position cannot relate to itself', field),
  relatedPositionLater: (id: string, addedOn: string, date: string, field: string) =>
    new DomainError(
      'related-position-later',
      'rule',
      `related position "${id}" was added on ${addedOn}, which may be after ${date}: a position can only relate to one that came before it`,
      field,
    ),
  notYetAdded: (id: string, date: string, addedOn: string) =>
    new DomainError('position-not-yet-added', 'rule', `position "${id}" did not exist on ${date}: it was added on ${addedOn}`, 'decidedOn'),
  withdrawn: (id: string, withdrawnOn: string) =>
    new DomainError('position-withdrawn', 'rule', `position "${id}" was withdrawn on ${withdrawnOn}; nothing may follow a withdrawal`, 'decidedOn'),
  alreadyWithdrawn: (id: string, withdrawnOn: string) =>
    new DomainError('already-withdrawn', 'conflict', `position "${id}" was already withdrawn on ${withdrawnOn}`),
  decisionsAfterWithdrawal: (id: string, date: string, later: string) =>
    new DomainError(
      'decisions-after-withdrawal',
      'rule',
      `position "${id}" cannot be withdrawn on ${date}: it has decisions dated later (${later})`,
      'decidedOn',
    ),
  revisionChangesNothing: () =>
    new DomainError('revision-changes-nothing', 'rule', 'a revision must change the statement, title, themes or addressees', 'statement'),
  unknownRevision: (id: string, revision: number, latest: number) =>
    new DomainError('unknown-revision', 'rule', `position "${id}" has no text revision ${revision} (the latest text revision is ${latest})`, 'revision'),
  changesEndorsedText: (revision: number, by: string, on: string) =>
    new DomainError(
      'changes-endorsed-text',
      'rule',
      `this revision, dated before text revision ${revision}, would change the text ${by} endorsed on ${on}; ` +
        'if that text was recorded wrongly, correct it; otherwise date this revision after the endorsement',
      'decidedOn',
    ),
  revisionNotYetDecided: (revision: number, revisionOn: string, date: string) =>
    new DomainError(
      'revision-not-yet-decided',
      'rule',
      `text revision ${revision} is dated ${revisionOn}, which may be after the endorsement date ${date}`,
      'decidedOn',
    ),
  alreadyEndorsed: (revision: number, by: string) =>
    new DomainError('already-endorsed', 'conflict', `text revision ${revision} is already endorsed by ${by}`, 'endorsedBy'),
  unknownEvent: (eventId: string) => new DomainError('unknown-event', 'rule', `event ${eventId} is not an event of this position`, 'eventId'),
  notCorrectable: (eventId: string, field: string, type: string) =>
    new DomainError('not-correctable', 'rule', `field "${field}" cannot be corrected on ${type} event ${eventId}`, `changes.${field}`),
  correctionChangesNothing: () => new DomainError('correction-changes-nothing', 'rule', 'a correction must change at least one recorded value', 'changes'),
  correctionLeavesRevisionIdle: (revision: number) =>
    new DomainError(
      'correction-changes-nothing',
      'rule',
      `after this correction text revision ${revision} would change nothing in the text before it; a revision must change the statement, title, themes or addressees`,
      'changes',
    ),
  correctionBreaksHistory: (problem: string) =>
    new DomainError('correction-breaks-history', 'rule', `the correction would leave an inconsistent history: ${problem}`, 'changes'),
};
