import { CarveOutFinding, detectCarveOuts } from './carve-out';
import {
  ACTIVE_KINDS,
  AuthorizationIndicator,
  BenefitKind,
  CoverageLevel,
  DateQualifier,
  INACTIVE_KINDS,
  QUANTITY_QUALIFIERS,
  ServiceTypeCode,
  serviceTypeLabel,
  TIME_PERIODS,
  TimePeriod,
  UNITS_OF_MEASURE,
} from './eligibility-codes';
import {
  Benefit,
  BenefitDate,
  BenefitQuantity,
  DeliveryPattern,
  EligibilityResponse,
  MemberEligibility,
  MemberRole,
  NotUnderstoodLine,
  Rejection,
} from './eligibility-response';
import { IsoDate } from './x12-values';

export interface SummaryOptions {
  readonly serviceTypes: readonly ServiceTypeCode[];
  readonly serviceDate: IsoDate;
  /** The code we will bill (H0015, S9480): benefits the payer tied to another procedure are left out. */
  readonly procedureCode?: string;
}

/**
 * Where a figure came from: an EB line naming the service type in EB03; a cost-share line tied by its EB05 plan
 * description to a benefit block whose EB*1 names the service type (Medicaid and managed-care responses describe
 * "MENTAL HEALTH OUTPATIENT" that way, the cost shares carrying EB03 30); or the plan as a whole (EB03 30 or absent,
 * and tied to no block), which stands in only when nothing more specific applies.
 */
export type FigureSource = 'service-type' | 'benefit-block' | 'plan';

/** The EB line a figure was read from, so a coordinator can find it in the raw response shown beside it. */
export interface FigureOrigin {
  readonly source: FigureSource;
  /** Segment ordinal of the EB line (ISA = 1). */
  readonly segmentNumber: number;
  /** EB04 (MA Medicare Part A, MB Part B, …) when the payer sent it. */
  readonly insuranceType: string | undefined;
  /** EB05, which names the benefit block. */
  readonly planDescription: string | undefined;
  /** III*ZZ place of service (55 residential, 57 non-residential substance use treatment, …). */
  readonly placeOfService: string | undefined;
}

export interface Accumulator {
  readonly totalCents: number | undefined;
  readonly totalPeriod: TimePeriod | undefined;
  readonly remainingCents: number | undefined;
  readonly metCents: number | undefined;
  /** True when the payer sent total and met but not remaining, and remaining is their difference. */
  readonly remainingDerived: boolean;
  readonly source: FigureSource;
  /** EB04 of every line used: one insurance type, never Part A's total with Part B's remaining. */
  readonly insuranceType: string | undefined;
  /** The EB lines the figures were read from. */
  readonly segmentNumbers: readonly number[];
  /** The same accumulator under the other insurance types the payer sent (Medicare Part A beside Part B). */
  readonly otherInsuranceTypes?: readonly Accumulator[];
}

export interface LevelSplit<T> {
  readonly individual: T | undefined;
  readonly family: T | undefined;
}

export interface LimitSummary {
  readonly description: string;
  readonly quantity: BenefitQuantity | undefined;
  readonly amountCents: number | undefined;
  readonly period: TimePeriod | undefined;
  readonly remaining: boolean;
  readonly delivery: readonly DeliveryPattern[];
  readonly source: FigureSource;
  readonly origin: FigureOrigin;
}

export type TierName = 'in-network' | 'out-of-network' | 'network-not-stated';

export interface TierSummary {
  readonly network: TierName;
  readonly deductible: LevelSplit<Accumulator>;
  readonly outOfPocket: LevelSplit<Accumulator>;
  readonly coinsurance: { readonly basisPoints: number; readonly source: FigureSource; readonly origin: FigureOrigin } | undefined;
  readonly copay:
    { readonly amountCents: number; readonly per: TimePeriod | undefined; readonly source: FigureSource; readonly origin: FigureOrigin } | undefined;
  readonly limits: readonly LimitSummary[];
  readonly authorization: AuthorizationIndicator;
  readonly nonCovered: boolean;
  readonly messages: readonly string[];
}

export type ServiceCoverage = 'covered' | 'not-covered' | 'not-stated';

export interface ServiceTypeSummary {
  readonly code: ServiceTypeCode;
  readonly label: string;
  readonly coverage: ServiceCoverage;
  readonly inNetwork: TierSummary;
  readonly outOfNetwork: TierSummary;
  /** Present only when the payer sent figures without EB12: they may belong to either network. */
  readonly networkNotStated: TierSummary | undefined;
}

export type CoverageStatus = 'active' | 'inactive' | 'unknown';

export interface CoverageSummary {
  readonly status: CoverageStatus;
  readonly explanation: string;
  readonly planBegin: IsoDate | undefined;
  readonly planEnd: IsoDate | undefined;
  readonly eligibilityBegin: IsoDate | undefined;
  readonly eligibilityEnd: IsoDate | undefined;
}

export interface PlanSummary {
  readonly description: string | undefined;
  readonly insuranceType: string | undefined;
  readonly groupNumber: string | undefined;
  readonly groupName: string | undefined;
  readonly planNumber: string | undefined;
}

export interface MemberBenefitSummary {
  readonly role: MemberRole;
  readonly hierarchyId: string;
  readonly memberId: string | undefined;
  readonly firstName: string | undefined;
  readonly lastName: string | undefined;
  readonly coverage: CoverageSummary;
  readonly plan: PlanSummary;
  readonly planMessages: readonly string[];
  readonly serviceTypes: readonly ServiceTypeSummary[];
  readonly carveOuts: readonly CarveOutFinding[];
  readonly rejections: readonly Rejection[];
  /**
   * Lines of the member's loops the reader did not understand (an unknown benefit kind, time period, date
   * qualifier, segment, …), as sent. No figure or status above comes from them: the coordinator reads them in the
   * raw response.
   */
  readonly notUnderstood: readonly NotUnderstoodLine[];
}

export interface BenefitSummary {
  readonly payer: { readonly name: string | undefined; readonly id: string | undefined };
  readonly reference: string | undefined;
  readonly serviceDate: IsoDate;
  /** Rejections from the payer or about the clinic: they affect every member. */
  readonly rejections: readonly Rejection[];
  readonly members: readonly MemberBenefitSummary[];
  readonly carveOuts: readonly CarveOutFinding[];
  /** Segments outside the members' loops that the reader did not understand, as sent. */
  readonly notUnderstood: readonly NotUnderstoodLine[];
}

/** Benefit kinds that carry money or limits, as opposed to status lines. */
const FIGURE_KINDS: ReadonlySet<BenefitKind> = new Set(['A', 'B', 'C', 'F', 'G', 'I', 'Y']);

/** Period preferences for a "total": a plan-year figure is the one a patient's bill depends on. */
const TOTAL_PERIODS: readonly (TimePeriod | undefined)[] = ['23', '22', '21', '25', '26', '36', undefined, '32'];

function isPlanLevel(benefit: Benefit): boolean {
  return benefit.serviceTypes.length === 0 || benefit.serviceTypes.includes('30');
}

/** Dates that bound when a benefit applies; others (last visit, last update) say nothing about that. */
const RANGE_DATES: ReadonlySet<DateQualifier> = new Set(['291', '292', '307']);
const BEGIN_DATES: ReadonlySet<DateQualifier> = new Set(['346', '348', '356']);
const END_DATES: ReadonlySet<DateQualifier> = new Set(['347', '349', '357']);

function dateWindow(dates: readonly BenefitDate[]): { start: IsoDate | undefined; end: IsoDate | undefined } {
  let start: IsoDate | undefined;
  let end: IsoDate | undefined;
  for (const date of dates) {
    if (RANGE_DATES.has(date.qualifier)) {
      start = date.start;
      // A single D8 plan, benefit or eligibility date is when it begins: "from that date", not that day only.
      end = date.format === 'RD8' ? date.end : undefined;
    } else if (BEGIN_DATES.has(date.qualifier)) start = date.start;
    else if (END_DATES.has(date.qualifier)) end = date.start;
  }
  return { start, end };
}

function appliesOn(benefit: Benefit, serviceDate: IsoDate): boolean {
  const { start, end } = dateWindow(benefit.dates);
  return (start === undefined || start <= serviceDate) && (end === undefined || serviceDate <= end);
}

function matchesProcedure(benefit: Benefit, procedureCode: string | undefined): boolean {
  return procedureCode === undefined || benefit.procedure === undefined || benefit.procedure.code === procedureCode;
}

/**
 * IND, and absent EB02, are the member's own figures; EMP (employee only) covers one person too. The other levels
 * pool several people and are read as family figures.
 */
function levelOf(level: CoverageLevel | undefined): 'individual' | 'family' {
  switch (level) {
    case undefined:
    case 'IND':
    case 'EMP':
      return 'individual';
    case 'FAM':
    case 'CHD':
    case 'DEP':
    case 'ECH':
    case 'ESP':
    case 'SPC':
    case 'SPO':
      return 'family';
  }
}

const RESIDENTIAL_OR_INPATIENT_PLACES: ReadonlySet<string> = new Set(['21', '51', '55', '56', '61']);

/** III*ZZ: the place of service a benefit line is qualified by. */
function placeOfService(benefit: Benefit): string | undefined {
  return benefit.additionalInformation.find((info) => info.qualifier === 'ZZ')?.code;
}

/**
 * A line for inpatient or residential care (by its place of service, or a block described as inpatient or
 * residential). An IOP is neither, so such a line never stands in for an outpatient figure, and among lines for
 * the service it comes after the others.
 */
function inpatientOrResidential(benefit: Benefit): boolean {
  const place = placeOfService(benefit);
  if (place !== undefined) return RESIDENTIAL_OR_INPATIENT_PLACES.has(place);
  const description = benefit.planDescription;
  return description !== undefined && /\b(INPATIENT|RESIDENTIAL)\b/i.test(description);
}

function originOf(benefit: Benefit, source: FigureSource): FigureOrigin {
  return {
    source,
    segmentNumber: benefit.segmentNumber,
    insuranceType: benefit.insuranceType,
    planDescription: benefit.planDescription,
    placeOfService: placeOfService(benefit),
  };
}

function accumulateOne(benefits: readonly Benefit[], source: FigureSource): Accumulator | undefined {
  let remaining: Benefit | undefined;
  let lifetimeRemaining: Benefit | undefined;
  let met: Benefit | undefined;
  let total: { benefit: Benefit; rank: number } | undefined;
  for (const benefit of benefits) {
    if (benefit.amountCents === undefined) continue;
    const period = benefit.timePeriod;
    if (period === '29') remaining ??= benefit;
    else if (period === '33') lifetimeRemaining ??= benefit;
    else if (period === '24') met ??= benefit;
    else {
      const rank = TOTAL_PERIODS.indexOf(period);
      if (rank !== -1 && (total === undefined || rank < total.rank)) total = { benefit, rank };
    }
  }
  remaining ??= lifetimeRemaining;
  if (remaining === undefined && total === undefined && met === undefined) return undefined;
  const totalCents = total?.benefit.amountCents;
  const metCents = met?.amountCents;
  const derived = remaining === undefined && totalCents !== undefined && metCents !== undefined;
  const used = [total?.benefit, remaining, met].filter((b) => b !== undefined);
  return {
    totalCents,
    totalPeriod: total?.benefit.timePeriod,
    remainingCents: derived && totalCents !== undefined && metCents !== undefined ? Math.max(0, totalCents - metCents) : remaining?.amountCents,
    metCents,
    remainingDerived: derived,
    source,
    insuranceType: used[0]?.insuranceType,
    segmentNumbers: used.map((b) => b.segmentNumber).sort((a, b) => a - b),
  };
}

/**
 * Totals, remaining and met amounts are paired only within one insurance type (EB04): a Medicare response sends
 * Part A and Part B deductibles side by side. For the outpatient services this summary is for, Part B (MB) is the
 * one that applies when both are sent; the others are kept beside it.
 */
function accumulate(benefits: readonly Benefit[], source: FigureSource): Accumulator | undefined {
  const types: (string | undefined)[] = [];
  for (const benefit of benefits) if (benefit.amountCents !== undefined && !types.includes(benefit.insuranceType)) types.push(benefit.insuranceType);
  if (types.length <= 1) return accumulateOne(benefits, source);
  const ordered = [...types].sort((a, b) => Number(b === 'MB') - Number(a === 'MB') || Number(a === 'MA') - Number(b === 'MA'));
  const each = ordered
    .map((type) =>
      accumulateOne(
        benefits.filter((b) => b.insuranceType === type),
        source,
      ),
    )
    .filter((a) => a !== undefined);
  const [first, ...others] = each;
  return first === undefined ? undefined : { ...first, otherInsuranceTypes: others };
}

interface Candidates {
  /** EB03 names the service type. */
  readonly direct: readonly Benefit[];
  /** Tied by EB05 to a block whose EB*1 names the service type. */
  readonly block: readonly Benefit[];
  /** The plan as a whole: EB03 30 or absent, tied to no block. */
  readonly plan: readonly Benefit[];
}

/** Service-specific figures win, then the service's benefit block; the plan-level ones stand in only when neither gave one. */
function firstFound<T>(candidates: Candidates, read: (benefits: readonly Benefit[], source: FigureSource) => T | undefined): T | undefined {
  return read(candidates.direct, 'service-type') ?? read(candidates.block, 'benefit-block') ?? read(candidates.plan, 'plan');
}

function narrow(candidates: Candidates, keep: (b: Benefit) => boolean): Candidates {
  return { direct: candidates.direct.filter(keep), block: candidates.block.filter(keep), plan: candidates.plan.filter(keep) };
}

function splitLevels(candidates: Candidates, kind: 'C' | 'G'): LevelSplit<Accumulator> {
  const pick = (level: 'individual' | 'family') => narrow(candidates, (b) => b.kind === kind && levelOf(b.coverageLevel) === level);
  return {
    individual: firstFound(pick('individual'), accumulate),
    family: firstFound(pick('family'), accumulate),
  };
}

function periodPhrase(period: TimePeriod | undefined): string {
  return period === undefined ? '' : ` per ${TIME_PERIODS[period].toLowerCase()}`;
}

function describeQuantity(quantity: BenefitQuantity): string {
  return `${quantity.value} ${QUANTITY_QUALIFIERS[quantity.qualifier].toLowerCase()}`;
}

function describeDelivery(pattern: DeliveryPattern): string {
  const what = pattern.quantity === undefined ? '' : describeQuantity(pattern.quantity);
  const unit = pattern.unit === undefined ? '' : ` per ${UNITS_OF_MEASURE[pattern.unit].toLowerCase()}`;
  const count = pattern.periodCount !== undefined && pattern.periodCount !== 1 ? `${pattern.periodCount} ` : '';
  const period = pattern.period === undefined ? '' : pattern.period === '29' ? ' remaining' : ` per ${count}${TIME_PERIODS[pattern.period].toLowerCase()}`;
  return `${what}${unit}${period}`.trim();
}

function describeLimit(benefit: Benefit): string {
  const parts: string[] = [];
  const remaining = benefit.timePeriod === '29' || benefit.timePeriod === '33';
  const period = remaining ? ' remaining' : periodPhrase(benefit.timePeriod);
  if (benefit.quantity !== undefined) parts.push(`${describeQuantity(benefit.quantity)}${period}`);
  if (benefit.amountCents !== undefined) {
    const dollars = `$${(benefit.amountCents / 100).toFixed(2)}`;
    parts.push(`${dollars}${benefit.quantity === undefined ? period : ''}`);
  }
  parts.push(...benefit.delivery.map(describeDelivery).filter((text) => text !== ''));
  return parts.length > 0 ? parts.join('; ') : 'limitation (see payer messages)';
}

function limitsOf(benefits: readonly Benefit[], source: FigureSource): LimitSummary[] | undefined {
  const limits = benefits
    .filter((b) => b.kind === 'F')
    .map((b) => ({
      origin: originOf(b, source),
      description: describeLimit(b),
      quantity: b.quantity,
      amountCents: b.amountCents,
      period: b.timePeriod,
      remaining: b.timePeriod === '29' || b.timePeriod === '33',
      delivery: b.delivery,
      source,
    }));
  return limits.length > 0 ? limits : undefined;
}

function authorizationOf(benefits: readonly Benefit[]): AuthorizationIndicator | undefined {
  const stated = benefits.map((b) => b.authorization).filter((a) => a !== undefined);
  if (stated.includes('required')) return 'required';
  if (stated.includes('not-required')) return 'not-required';
  return stated.length > 0 ? 'unknown' : undefined;
}

const NO_CANDIDATES: Candidates = { direct: [], block: [], plan: [] };

/** The candidates split by EB01 once, so each figure looks only at the lines of its own kind. */
function byKind(candidates: Candidates): Map<BenefitKind, Candidates> {
  const kinds = new Map<BenefitKind, { direct: Benefit[]; block: Benefit[]; plan: Benefit[] }>();
  const add = (list: 'direct' | 'block' | 'plan', benefit: Benefit) => {
    let bucket = kinds.get(benefit.kind);
    if (bucket === undefined) {
      bucket = { direct: [], block: [], plan: [] };
      kinds.set(benefit.kind, bucket);
    }
    bucket[list].push(benefit);
  };
  for (const b of candidates.direct) add('direct', b);
  for (const b of candidates.block) add('block', b);
  for (const b of candidates.plan) add('plan', b);
  return kinds;
}

function tierSummary(network: TierName, candidates: Candidates): TierSummary {
  const kinds = byKind(candidates);
  const of = (kind: BenefitKind) => kinds.get(kind) ?? NO_CANDIDATES;
  const coinsurance = firstFound(of('A'), (list, source) => {
    const found = list.find((b) => b.percentBasisPoints !== undefined);
    return found?.percentBasisPoints === undefined ? undefined : { basisPoints: found.percentBasisPoints, source, origin: originOf(found, source) };
  });
  const copay = firstFound(of('B'), (list, source) => {
    const found = list.find((b) => b.amountCents !== undefined);
    return found?.amountCents === undefined ? undefined : { amountCents: found.amountCents, per: found.timePeriod, source, origin: originOf(found, source) };
  });
  return {
    network,
    deductible: splitLevels(of('C'), 'C'),
    outOfPocket: splitLevels(of('G'), 'G'),
    coinsurance,
    copay,
    limits: firstFound(of('F'), limitsOf) ?? [],
    authorization: authorizationOf(candidates.direct) ?? authorizationOf(candidates.block) ?? authorizationOf(candidates.plan) ?? 'unknown',
    nonCovered: of('I').direct.length > 0 || of('I').block.length > 0,
    messages: [...candidates.direct, ...candidates.block].flatMap((b) => b.messages),
  };
}

function inTier(benefit: Benefit, tier: TierName): boolean {
  switch (tier) {
    case 'in-network':
      return benefit.network === 'in-network' || benefit.network === 'both';
    case 'out-of-network':
      return benefit.network === 'out-of-network' || benefit.network === 'both';
    case 'network-not-stated':
      return benefit.network === 'unknown';
  }
}

/**
 * Cost-share lines tied to a benefit block only by EB05: an EB*1 (or another status line) that names service
 * types besides 30 and carries a plan description opens the block; later lines with EB03 30 (or none) and the same
 * EB05 belong to it, not to the plan as a whole.
 */
export function benefitBlocks(benefits: readonly Benefit[]): Map<Benefit, readonly ServiceTypeCode[]> {
  const heads = new Map<string, ServiceTypeCode[]>();
  const tied = new Map<Benefit, readonly ServiceTypeCode[]>();
  for (const benefit of benefits) {
    const description = benefit.planDescription;
    if (description === undefined) continue;
    const specific = benefit.serviceTypes.filter((code) => code !== '30');
    if ((ACTIVE_KINDS.has(benefit.kind) || INACTIVE_KINDS.has(benefit.kind)) && specific.length > 0) {
      const known = heads.get(description) ?? [];
      heads.set(description, [...known, ...specific.filter((code) => !known.includes(code))]);
    } else if (specific.length === 0) {
      const block = heads.get(description);
      if (block !== undefined) tied.set(benefit, block);
    }
  }
  return tied;
}

const TIERS: readonly TierName[] = ['in-network', 'out-of-network', 'network-not-stated'];

/**
 * The member's lines sorted once for every service type asked about: by the codes they name in EB03, by the codes
 * of the block they are tied to, and the plan-level fallback, each in the order sent with inpatient or residential
 * lines after the others. Each service type then reads its own lists instead of walking every line again.
 */
interface ServiceIndex {
  readonly direct: Map<ServiceTypeCode, { readonly first: Benefit[]; readonly later: Benefit[] }>;
  readonly block: Map<ServiceTypeCode, { readonly first: Benefit[]; readonly later: Benefit[] }>;
  /** For a service: plan-level lines tied to no block, not inpatient or residential. */
  readonly plan: readonly Benefit[];
  /** For 30 (the plan as a whole): plan-level lines, and those tied to no block. */
  readonly planLevel: readonly Benefit[];
  readonly planUntied: readonly Benefit[];
}

function bucket(map: ServiceIndex['direct'], code: ServiceTypeCode, benefit: Benefit, later: boolean): void {
  let lists = map.get(code);
  if (lists === undefined) {
    lists = { first: [], later: [] };
    map.set(code, lists);
  }
  const list = later ? lists.later : lists.first;
  // EB03 may repeat a code ("MH^MH"): the line is listed once.
  if (list[list.length - 1] !== benefit) list.push(benefit);
}

function indexServices(
  benefits: readonly Benefit[],
  blocks: ReadonlyMap<Benefit, readonly ServiceTypeCode[]>,
  inpatientLines: ReadonlySet<Benefit>,
): ServiceIndex {
  const index: { direct: ServiceIndex['direct']; block: ServiceIndex['block']; plan: Benefit[]; planLevel: Benefit[]; planUntied: Benefit[] } = {
    direct: new Map(),
    block: new Map(),
    plan: [],
    planLevel: [],
    planUntied: [],
  };
  for (const b of benefits) {
    const planLevel = isPlanLevel(b);
    const tied = blocks.get(b);
    const inpatient = inpatientLines.has(b);
    for (const code of b.serviceTypes) bucket(index.direct, code, b, inpatient);
    if (tied !== undefined) for (const code of tied) bucket(index.block, code, b, inpatient);
    if (planLevel) {
      index.planLevel.push(b);
      if (tied === undefined) {
        index.planUntied.push(b);
        if (!inpatient) index.plan.push(b);
      }
    }
  }
  return index;
}

function serviceTypeSummary(code: ServiceTypeCode, index: ServiceIndex): ServiceTypeSummary {
  const wholePlan = code === '30';
  // Lines naming the service (outpatient ones first), lines tied to its block (likewise), and the plan-level
  // fallback: lines for the plan as a whole, tied to no block; for a service, not inpatient or residential lines
  // (an inpatient per-day copay is not the outpatient psychiatric copay).
  const directLists = wholePlan ? undefined : index.direct.get(code);
  const blockLists = wholePlan ? undefined : index.block.get(code);
  const direct: Benefit[] = directLists === undefined ? [] : [...directLists.first, ...directLists.later];
  const block: Benefit[] = blockLists === undefined ? [] : [...blockLists.first, ...blockLists.later];
  const plan = wholePlan ? index.planUntied : index.plan;
  const own: Benefit[] = wholePlan ? [...index.planLevel] : [];
  if (!wholePlan) own.push(...direct, ...block);
  const tiers = new Map<TierName, { direct: Benefit[]; block: Benefit[]; plan: Benefit[] }>(TIERS.map((t) => [t, { direct: [], block: [], plan: [] }]));
  const place = (list: 'direct' | 'block' | 'plan', b: Benefit) => {
    for (const t of TIERS) if (inTier(b, t)) tiers.get(t)?.[list].push(b);
  };
  for (const b of direct) place('direct', b);
  for (const b of block) place('block', b);
  for (const b of plan) place('plan', b);
  const tier = (name: TierName): TierSummary => tierSummary(name, tiers.get(name) ?? NO_CANDIDATES);
  const coverage: ServiceCoverage = own.some((b) => ACTIVE_KINDS.has(b.kind))
    ? 'covered'
    : own.some((b) => b.kind === 'I' || INACTIVE_KINDS.has(b.kind))
      ? 'not-covered'
      : 'not-stated';
  // Status lines (active, inactive) rarely carry EB12; only figures without it make the network ambiguous.
  const unstatedTier = tiers.get('network-not-stated');
  const unstated = unstatedTier !== undefined && [...unstatedTier.direct, ...unstatedTier.block, ...unstatedTier.plan].some((b) => FIGURE_KINDS.has(b.kind));
  return {
    code,
    label: serviceTypeLabel(code),
    coverage,
    inNetwork: tier('in-network'),
    outOfNetwork: tier('out-of-network'),
    networkNotStated: unstated ? tier('network-not-stated') : undefined,
  };
}

function firstDate(member: MemberEligibility, planBenefits: readonly Benefit[], qualifiers: readonly string[], end: boolean): IsoDate | undefined {
  const all = [...member.dates, ...planBenefits.flatMap((b) => b.dates)];
  // A single D8 plan (291) or eligibility (307) date is a beginning; it says nothing of the end.
  const found = all.find((d) => qualifiers.includes(d.qualifier) && !(end && d.format === 'D8' && RANGE_DATES.has(d.qualifier)));
  if (found === undefined) return undefined;
  return end ? found.end : found.start;
}

function coverageOf(member: MemberEligibility, benefits: readonly Benefit[], serviceDate: IsoDate): CoverageSummary {
  const planBenefits = member.benefits.filter(isPlanLevel);
  const planBegin = firstDate(member, planBenefits, ['346', '291'], false);
  const planEnd = firstDate(member, planBenefits, ['347', '291'], true);
  const eligibilityBegin = firstDate(member, planBenefits, ['356', '307'], false);
  const eligibilityEnd = firstDate(member, planBenefits, ['357', '307'], true);
  const dates = { planBegin, planEnd, eligibilityBegin, eligibilityEnd };

  if (member.rejections.length > 0 && member.benefits.length === 0) {
    const reasons = member.rejections.map((r) => r.coordinatorMessage).join('; ');
    return { status: 'unknown', explanation: `the payer did not answer for this member: ${reasons}`, ...dates };
  }
  const starts = [planBegin, eligibilityBegin].filter((d) => d !== undefined);
  const ends = [planEnd, eligibilityEnd].filter((d) => d !== undefined);
  const lateStart = starts.find((d) => d > serviceDate);
  const earlyEnd = ends.find((d) => d < serviceDate);
  // Status lines are read with their own dates rather than dropped for them: an EB*6 dated to June still says
  // the coverage is over in December.
  const statusBenefits = benefits.filter((b) => ACTIVE_KINDS.has(b.kind) || INACTIVE_KINDS.has(b.kind));
  const planStatus = statusBenefits.filter(isPlanLevel);
  const deciding = planStatus.length > 0 ? planStatus : statusBenefits;
  const active = deciding.filter((b) => ACTIVE_KINDS.has(b.kind));
  const activeOnDate = active.filter((b) => appliesOn(b, serviceDate));

  if (activeOnDate.length > 0) {
    if (lateStart !== undefined) {
      return { status: 'inactive', explanation: `coverage starts ${lateStart}, after the service date ${serviceDate}`, ...dates };
    }
    if (earlyEnd !== undefined) {
      return { status: 'inactive', explanation: `coverage ends ${earlyEnd}, before the service date ${serviceDate}`, ...dates };
    }
    return { status: 'active', explanation: `the payer reports active coverage on ${serviceDate}`, ...dates };
  }
  if (active.length > 0) {
    return { status: 'inactive', explanation: `the payer reports active coverage, but not on the service date ${serviceDate}`, ...dates };
  }
  if (deciding.some((b) => INACTIVE_KINDS.has(b.kind))) {
    const ended = earlyEnd === undefined ? '' : ` (ended ${earlyEnd})`;
    return { status: 'inactive', explanation: `the payer reports the coverage as inactive${ended}`, ...dates };
  }
  if (member.benefits.length === 0) {
    return { status: 'unknown', explanation: 'the payer sent no benefits for this member (when the patient is a dependent, see the dependent)', ...dates };
  }
  return { status: 'unknown', explanation: 'the payer sent no active or inactive status for this date: verify by phone', ...dates };
}

function planOf(member: MemberEligibility): PlanSummary {
  const ref = (qualifier: string) => member.references.find((r) => r.qualifier === qualifier);
  const group = ref('6P') ?? ref('1L');
  const planBenefit = member.benefits.find((b) => ACTIVE_KINDS.has(b.kind) && (b.planDescription !== undefined || b.insuranceType !== undefined));
  return {
    description: planBenefit?.planDescription ?? ref('18')?.description,
    insuranceType: planBenefit?.insuranceType,
    groupNumber: group?.value,
    groupName: group?.description,
    planNumber: ref('18')?.value,
  };
}

function memberSummary(member: MemberEligibility, options: SummaryOptions, carveOuts: readonly CarveOutFinding[]): MemberBenefitSummary {
  const blocks = benefitBlocks(member.benefits);
  const inpatientLines = new Set(member.benefits.filter(inpatientOrResidential));
  const benefits = member.benefits.filter((b) => appliesOn(b, options.serviceDate) && matchesProcedure(b, options.procedureCode));
  // A benefit for the billed procedure is more precise than one for the service type in general.
  const ordered =
    options.procedureCode === undefined
      ? benefits
      : [...benefits.filter((b) => b.procedure !== undefined), ...benefits.filter((b) => b.procedure === undefined)];
  const services = indexServices(ordered, blocks, inpatientLines);
  return {
    role: member.role,
    hierarchyId: member.hierarchyId,
    memberId: member.memberId,
    firstName: member.firstName,
    lastName: member.lastName,
    coverage: coverageOf(
      member,
      member.benefits.filter((b) => matchesProcedure(b, options.procedureCode)),
      options.serviceDate,
    ),
    plan: planOf(member),
    planMessages: ordered.filter(isPlanLevel).flatMap((b) => b.messages),
    serviceTypes: options.serviceTypes.map((code) => serviceTypeSummary(code, services)),
    carveOuts: carveOuts.filter((c) => c.memberHierarchyId === member.hierarchyId),
    rejections: [...member.rejections, ...member.benefits.flatMap((b) => b.rejections), ...member.notUnderstood.flatMap((line) => line.rejections)],
    notUnderstood: member.notUnderstood,
  };
}

/**
 * The coordinator's view of a 271 for the services and date of a planned admission: per member, whether coverage
 * is active, and per service type and network the figures that decide what the patient pays.
 */
export function summariseBenefits(response: EligibilityResponse, options: SummaryOptions): BenefitSummary {
  const carveOuts = detectCarveOuts(response);
  return {
    payer: { name: response.informationSource.name, id: response.informationSource.id },
    reference: response.reference,
    serviceDate: options.serviceDate,
    rejections: [...response.informationSource.rejections, ...response.informationReceiver.rejections],
    members: response.members.map((member) => memberSummary(member, options, carveOuts)),
    carveOuts,
    notUnderstood: response.notUnderstood,
  };
}
