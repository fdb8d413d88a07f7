import { BEHAVIOURAL_HEALTH_MANAGERS, BEHAVIOURAL_SERVICE_TYPES, ServiceTypeCode, serviceTypeLabel } from './eligibility-codes';
import { Benefit, EligibilityResponse, InformationSource, MemberEligibility, RelatedEntity } from './eligibility-response';

/**
 * How we know: the payer said "contact this entity" (EB01 U), named another company beside a behavioural benefit
 * (LS/LE 2120), or only wrote it in a free-text message.
 */
export type CarveOutEvidence = 'contact-entity' | 'related-entity' | 'message';

export interface CarveOutEntity {
  readonly entityCode: string;
  readonly name: string | undefined;
  readonly idQualifier: string | undefined;
  readonly id: string | undefined;
  readonly phone: string | undefined;
  readonly url: string | undefined;
}

export interface CarveOutFinding {
  readonly memberHierarchyId: string;
  readonly serviceTypes: readonly ServiceTypeCode[];
  readonly entity: CarveOutEntity | undefined;
  readonly evidence: CarveOutEvidence;
  readonly segmentNumber: number;
  /** What the coordinator is told to do. */
  readonly message: string;
}

/** Entity codes that mean "another organisation administers this": payer, managed care, UM organisation, vendor. */
const ADMINISTERING_ENTITIES: ReadonlySet<string> = new Set(['PR', 'Y2', 'X3', 'VN']);
/** Codes naming a person or place of care: a clinic called "… Behavioral Health" is not a carve-out. */
const CARE_PROVIDER_ENTITIES: ReadonlySet<string> = new Set(['1P', 'P3', 'FA', '73', '13', 'IL', '03']);
const CARVE_OUT_WORDING = /\b(carve[\s-]?out|administered by|managed by|contact)\b/i;

function isManagerName(text: string | undefined): boolean {
  return text !== undefined && BEHAVIOURAL_HEALTH_MANAGERS.some((pattern) => pattern.test(text));
}

function isSource(entity: RelatedEntity, source: InformationSource): boolean {
  if (entity.id !== undefined && source.id !== undefined && entity.id === source.id) return true;
  return entity.name !== undefined && source.name !== undefined && entity.name.trim().toUpperCase() === source.name.trim().toUpperCase();
}

export function formatPhone(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  return national.length === 10 ? `${national.slice(0, 3)}-${national.slice(3, 6)}-${national.slice(6)}` : raw;
}

function toEntity(entity: RelatedEntity): CarveOutEntity {
  const contact = entity.contacts.find((c) => c.phone !== undefined) ?? entity.contacts[0];
  return {
    entityCode: entity.entityCode,
    name: entity.name,
    idQualifier: entity.idQualifier,
    id: entity.id,
    phone: contact?.phone === undefined ? undefined : formatPhone(contact.phone),
    url: contact?.url,
  };
}

function describeTypes(types: readonly ServiceTypeCode[]): string {
  return types.map((code) => `${serviceTypeLabel(code)} (${code})`).join(', ');
}

function namedMessage(types: readonly ServiceTypeCode[], entity: CarveOutEntity, payer: string): string {
  const name = entity.name ?? `entity ${entity.id ?? entity.entityCode}`;
  const reach = [entity.phone === undefined ? undefined : `phone ${entity.phone}`, entity.url].filter((x) => x !== undefined);
  const contact = reach.length === 0 ? '' : ` (${reach.join(', ')})`;
  return (
    `${describeTypes(types)} benefits appear to be managed by ${name}${contact}, not ${payer}: ` +
    `verify eligibility, benefits and authorisation with ${name} before admission; ${payer}'s figures for these services may not apply`
  );
}

function isCarveOutEntity(entity: RelatedEntity, source: InformationSource): boolean {
  if (isSource(entity, source) || CARE_PROVIDER_ENTITIES.has(entity.entityCode)) return false;
  return ADMINISTERING_ENTITIES.has(entity.entityCode) || isManagerName(entity.name);
}

/** A finding whose message, when it names an entity, is written once its service types are all known. */
type Draft = Omit<CarveOutFinding, 'message' | 'serviceTypes'> & { readonly message: string | undefined; readonly serviceTypes: ServiceTypeCode[] };

/**
 * Findings naming the same entity (or, without one, saying the same thing) for the same member are one finding:
 * merged by key as they are found, each new service type added once. The entity (its phone formatted) is built
 * only for the first line that names it, not for every repetition of it.
 */
class Findings {
  readonly byKey = new Map<string, Draft>();

  add(key: string, types: readonly ServiceTypeCode[], make: () => Omit<Draft, 'serviceTypes'>): void {
    const existing = this.byKey.get(key);
    if (existing === undefined) {
      this.byKey.set(key, { ...make(), serviceTypes: [...types] });
      return;
    }
    for (const type of types) if (!existing.serviceTypes.includes(type)) existing.serviceTypes.push(type);
  }
}

function findingsForBenefit(findings: Findings, member: MemberEligibility, benefit: Benefit, source: InformationSource, payer: string): void {
  let types: ServiceTypeCode[] | undefined;
  for (const code of benefit.serviceTypes) if (BEHAVIOURAL_SERVICE_TYPES.has(code)) (types ??= []).push(code);
  if (types === undefined) return;
  const memberHierarchyId = member.hierarchyId;
  const segmentNumber = benefit.segmentNumber;
  const contact = benefit.kind === 'U';

  let named = false;
  for (const related of benefit.relatedEntities) {
    if (contact ? isSource(related, source) : !isCarveOutEntity(related, source)) continue;
    named = true;
    const evidence: CarveOutEvidence = contact ? 'contact-entity' : 'related-entity';
    findings.add(`${memberHierarchyId}|${evidence}|entity:${related.name ?? ''}|${related.id ?? ''}`, types, () => ({
      memberHierarchyId,
      segmentNumber,
      entity: toEntity(related),
      evidence,
      message: undefined,
    }));
  }
  if (named) return;
  const add = (evidence: CarveOutEvidence, message: string) =>
    findings.add(`${memberHierarchyId}|${evidence}|message:${message}`, types ?? [], () => ({
      memberHierarchyId,
      segmentNumber,
      entity: undefined,
      evidence,
      message,
    }));
  if (contact) {
    add(
      'contact-entity',
      `${payer} says another company handles ${describeTypes(types)} benefits but does not name it: ` +
        `call ${payer} to learn who manages behavioural health for this plan, and verify with them before admission`,
    );
    return;
  }
  const clue = benefit.messages.find((text) => CARVE_OUT_WORDING.test(text) && isManagerName(text));
  if (clue !== undefined) {
    add('message', `${payer}'s message for ${describeTypes(types)} says: "${clue}". Verify these benefits with the company named there before admission`);
  }
}

/**
 * Behavioural-health carve-outs: the plan's payer answers, but another company manages (and authorises) mental
 * health and substance use care. Missing one means admitting on benefits that are not the ones that apply.
 * Findings naming the same entity for the same member are merged, keeping every service type they cover.
 */
export function detectCarveOuts(response: EligibilityResponse): CarveOutFinding[] {
  const payer = response.informationSource.name ?? 'the payer';
  const findings = new Findings();
  for (const member of response.members) {
    for (const benefit of member.benefits) findingsForBenefit(findings, member, benefit, response.informationSource, payer);
  }
  return [...findings.byKey.values()].map((finding) => ({
    ...finding,
    message: finding.message ?? (finding.entity === undefined ? '' : namedMessage(finding.serviceTypes, finding.entity, payer)),
  }));
}
