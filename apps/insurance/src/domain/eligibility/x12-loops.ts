import { DATE_QUALIFIERS, FOLLOW_UP_ACTIONS, FollowUpActionCode, REJECT_REASONS, RejectReasonCode } from './eligibility-codes';
import { BenefitDate, ContactNumbers, Reference, Rejection, RejectionLoop, TraceNumber, UnknownValue } from './eligibility-response';
import { X12Segment } from './x12-tokenizer';
import { readDateOrRange, requireCode } from './x12-values';

/** Segment readers shared by the 270 and 271 parsers: both use the same HL tree and the same NM1/REF/DTP. */

export type HierarchyLevel = 'information-source' | 'information-receiver' | 'subscriber' | 'dependent';

const LEVEL_CODES: Readonly<Record<string, HierarchyLevel>> = {
  '20': 'information-source',
  '21': 'information-receiver',
  '22': 'subscriber',
  '23': 'dependent',
};

const PARENT_LEVEL: Readonly<Record<HierarchyLevel, HierarchyLevel | undefined>> = {
  'information-source': undefined,
  'information-receiver': 'information-source',
  subscriber: 'information-receiver',
  dependent: 'subscriber',
};

export interface HierarchyNode {
  readonly id: string;
  readonly parentId: string | undefined;
  readonly level: HierarchyLevel;
  readonly hasChildren: boolean;
}

/**
 * Checks each HL against the ones before it: ids unique, each parent already seen and one level up. A 271 whose
 * tree is broken cannot say which member a benefit belongs to, so it is refused rather than guessed.
 */
export class HierarchyTracker {
  private readonly seen = new Map<string, HierarchyNode>();

  read(hl: X12Segment): HierarchyNode {
    const id = hl.require(1, 'hierarchical id');
    if (this.seen.has(id)) hl.fail('invalid-hierarchy', 'repeats an earlier HL id', 1);
    const levelCode = hl.require(3, 'hierarchical level code');
    const level = LEVEL_CODES[levelCode];
    if (level === undefined) hl.fail('invalid-code', 'is not an eligibility level (20, 21, 22 or 23)', 3);
    const parentId = hl.get(2);
    const expectedParent = PARENT_LEVEL[level];
    if (expectedParent === undefined) {
      if (parentId !== undefined) hl.fail('invalid-hierarchy', 'names a parent, but the information source level has none', 2);
    } else {
      if (parentId === undefined) hl.fail('missing-element', `is required (parent of the ${level} level) but is empty`, 2);
      const parent = this.seen.get(parentId);
      if (parent === undefined) hl.fail('invalid-hierarchy', 'does not name an earlier HL', 2);
      if (parent.level !== expectedParent) {
        hl.fail('invalid-hierarchy', `names a ${parent.level} level, but a ${level} level belongs under a ${expectedParent}`, 2);
      }
    }
    const childCode = hl.get(4);
    if (childCode !== undefined && childCode !== '0' && childCode !== '1') {
      hl.fail('invalid-code', 'is not a child code (0 or 1)', 4);
    }
    const node: HierarchyNode = { id, parentId, level, hasChildren: childCode === '1' };
    this.seen.set(id, node);
    return node;
  }
}

export interface Name {
  readonly entityCode: string;
  readonly entityType: string | undefined;
  readonly lastOrOrganization: string | undefined;
  readonly first: string | undefined;
  readonly middle: string | undefined;
  readonly suffix: string | undefined;
  readonly idQualifier: string | undefined;
  readonly id: string | undefined;
}

export function readName(nm1: X12Segment): Name {
  const entityType = nm1.get(2);
  if (entityType !== undefined && entityType !== '1' && entityType !== '2') {
    nm1.fail('invalid-code', 'is not an entity type (1 person, 2 non-person)', 2);
  }
  const idQualifier = nm1.get(8);
  const id = nm1.get(9);
  if ((idQualifier === undefined) !== (id === undefined)) {
    nm1.fail('missing-element', 'and NM109 must be sent together', idQualifier === undefined ? 8 : 9);
  }
  return {
    entityCode: nm1.require(1, 'entity identifier code'),
    entityType,
    lastOrOrganization: nm1.get(3),
    first: nm1.get(4),
    middle: nm1.get(5),
    suffix: nm1.get(7),
    idQualifier,
    id,
  };
}

export function requireEntity(nm1: X12Segment, allowed: readonly string[], what: string): void {
  const code = nm1.get(1);
  if (code === undefined || !allowed.includes(code)) {
    nm1.fail('invalid-code', `is not an entity code for the ${what} (${allowed.join(', ')})`, 1);
  }
}

export function readReference(ref: X12Segment): Reference {
  return { qualifier: ref.require(1, 'reference qualifier'), value: ref.require(2, 'reference'), description: ref.get(3) };
}

export function readDtp(dtp: X12Segment): BenefitDate {
  const qualifier = requireCode(dtp, 1, DATE_QUALIFIERS, 'date qualifier');
  const range = readDateOrRange(dtp, 2, 3);
  return { qualifier, format: dtp.get(2) === 'RD8' ? 'RD8' : 'D8', ...range };
}

export function readTrace(trn: X12Segment): TraceNumber {
  return { type: trn.require(1, 'trace type'), reference: trn.require(2, 'trace number'), originator: trn.require(3, 'originator') };
}

export function readContact(per: X12Segment): ContactNumbers {
  const numbers = new Map<string, string>();
  for (const index of [3, 5, 7]) {
    const qualifier = per.get(index);
    const value = per.get(index + 1);
    if (qualifier !== undefined && value !== undefined && !numbers.has(qualifier)) numbers.set(qualifier, value);
  }
  return {
    name: per.get(2),
    phone: numbers.get('TE') ?? numbers.get('WP'),
    phoneExtension: numbers.get('EX'),
    fax: numbers.get('FX'),
    email: numbers.get('EM'),
    url: numbers.get('UR'),
  };
}

function isRejectReason(code: string): code is RejectReasonCode {
  return Object.prototype.hasOwnProperty.call(REJECT_REASONS, code);
}

function isFollowUp(code: string): code is FollowUpActionCode {
  return Object.prototype.hasOwnProperty.call(FOLLOW_UP_ACTIONS, code);
}

/** An element holding a code the reader does not know, as sent. */
export function unknownValue(segment: X12Segment, index: number | undefined, expected: string): UnknownValue {
  return {
    segmentNumber: segment.position,
    segmentId: segment.id,
    element: index === undefined ? undefined : segment.ref(index),
    value: index === undefined ? segment.elements.join(segment.delimiters.element) : (segment.elements[index] ?? ''),
    expected,
  };
}

/**
 * AAA → a rejection the coordinator can act on. A code outside the lists (AAA01 other than Y or N, an AAA03 reason
 * or AAA04 follow-up newer than our tables) is kept as sent and passed to `unknown`, never a reason to drop the
 * rejection: every AAA becomes a coordinator task. An unknown reason gets a generic "verify by phone" message.
 */
export function readRejection(aaa: X12Segment, loop: RejectionLoop, unknown: (value: UnknownValue) => void): Rejection {
  const valid = aaa.require(1, 'valid request indicator');
  if (valid !== 'Y' && valid !== 'N') unknown(unknownValue(aaa, 1, 'valid request indicator (Y or N)'));
  const reasonCode = aaa.require(3, 'reject reason code');
  const followUpRaw = aaa.get(4);
  const followUp = followUpRaw !== undefined && isFollowUp(followUpRaw) ? followUpRaw : undefined;
  if (followUpRaw !== undefined && followUp === undefined) unknown(unknownValue(aaa, 4, 'follow-up action'));
  const known = isRejectReason(reasonCode);
  if (!known) unknown(unknownValue(aaa, 3, 'reject reason'));
  const reason = known
    ? REJECT_REASONS[reasonCode]
    : {
        label: `Reject reason ${reasonCode}`,
        coordinatorMessage: `the payer rejected the inquiry with code ${reasonCode}: verify by phone`,
      };
  return {
    loop,
    validRequest: valid === 'Y' ? true : valid === 'N' ? false : undefined,
    reasonCode,
    reasonLabel: reason.label,
    coordinatorMessage: reason.coordinatorMessage,
    followUpAction: followUpRaw,
    followUpLabel: followUp === undefined ? undefined : FOLLOW_UP_ACTIONS[followUp].coordinatorAction,
    segmentNumber: aaa.position,
  };
}

/** For "loop 2110C expects one of …, found XYZ" errors. */
export function unexpected(segment: X12Segment, loop: string, expected: readonly string[]): never {
  return segment.fail('unexpected-segment', `is not allowed in loop ${loop}, which expects one of ${expected.join(', ')}`);
}
