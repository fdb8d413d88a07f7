import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { CoverageRejected, CoverageVerificationFailed, CoverageVerified } from '@iop/contracts';
import { AuditTrail, type Actor } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { DomainError, LOGGER, REDIS, notFound, type Redis } from '@iop/platform';
import { build270, summariseBenefits, tryParse271 } from '../domain/eligibility';
import { CLEARINGHOUSE, ClearinghouseError, type Clearinghouse } from './clearinghouse.port';
import { mayDiscloseForPayment } from './consent-read-model';
import { coverageRepository, type Coverage } from './coverage-repository';
import {
  coordinatorTaskFor,
  outcomeOf,
  patientMember,
  rejectionsFor,
  serviceTypesFor,
  type CoordinatorTask,
  type EligibilityOutcome,
  type ProgramType,
  type UnansweredReason,
} from './eligibility-outcome';
import { requirePatientAtSite } from './patient-site-read-model';
import { payerDirectory, type Payer } from './payer-directory';
import { phoneTaskRepository, verificationRepository, type Verification } from './verification-repository';

/** A transaction in the caller's site scope: the HTTP unit of work, or the saga worker's scoped transaction. */
export type Transact = <T>(work: (manager: EntityManager) => Promise<T>) => Promise<T>;

export interface VerificationCall {
  readonly siteId: string;
  readonly patientId: string;
  /** The coverage to verify; the one in force on the service date when absent (saga requests). */
  readonly coverageId?: string;
  readonly serviceDate: string;
  readonly programType: ProgramType;
  readonly bypassCache?: boolean;
  /** Set for saga requests: the queued row to complete and the request to answer. */
  readonly queued?: Verification;
}

export interface VerificationView extends Verification {
  readonly phoneTaskId?: string;
}

type Prepared =
  | { readonly done: VerificationView; readonly send?: undefined }
  | { readonly done?: undefined; readonly send: { inquiry: string; coverage: Coverage; payer: Payer; verification: Verification } };

interface Cached {
  readonly outcome: EligibilityOutcome;
  readonly benefits: unknown;
}

const num = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

/**
 * Verification of benefits, electronic first, by phone when that fails. The consent gate runs in the transaction
 * that records the 270, with the patient's consents locked, so no revocation slips between the check and the
 * record of what leaves; the cache before the clearinghouse; the 270 is stored before it is sent and the 271 as it
 * arrives; the clearinghouse call runs outside any transaction.
 */
@Injectable()
export class VerifyCoverage {
  private readonly cacheTtlSeconds = num('VERIFICATION_CACHE_TTL_SECONDS', 24 * 60 * 60);
  /** How long a saga request waits for the consent it names to reach insurance's read model. */
  private readonly consentWaitSeconds = num('VERIFICATION_CONSENT_WAIT_SECONDS', 90);
  /** How many 270s one queued verification may send before a person takes it over by phone. */
  private readonly maxAttempts = num('VERIFICATION_MAX_ATTEMPTS', 3);
  private readonly provider = {
    npi: process.env['INSURANCE_PROVIDER_NPI'] ?? '1234567893',
    name: process.env['INSURANCE_PROVIDER_NAME'] ?? 'IOP NETWORK CLINIC',
    submitterId: process.env['INSURANCE_SUBMITTER_ID'] ?? 'IOPNETWORK',
    traceOriginator: process.env['INSURANCE_TRACE_ORIGINATOR'] ?? '1999999999',
  };

  constructor(
    @Inject(CLEARINGHOUSE) private readonly clearinghouse: Clearinghouse,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
  ) {}

  async run(transact: Transact, actor: Actor, call: VerificationCall): Promise<VerificationView> {
    const base = {
      verificationId: call.queued?.verificationId ?? crypto.randomUUID(),
      siteId: call.siteId,
      patientId: call.patientId,
      serviceDate: call.serviceDate,
      programType: call.programType,
      requestId: call.queued?.requestId ?? null,
      requestedBy: call.queued?.requestedBy ?? actor.principal.subject,
      method: null,
      fromCache: false,
      reason: null,
      outcome: null,
      benefits: null,
    };

    // Step 1: what to ask, whether we may ask, and whether we already know.
    const prepared = await transact(async (manager): Promise<Prepared> => {
      // Intake named a consent that has not reached our copy yet (another topic, another partition): back to the
      // queue before anything is read, so each wait costs one statement and no coverage read or audit row.
      if (call.queued && (await verificationRepository.deferForConsent(manager, call.queued.verificationId, this.consentWaitSeconds, 3))) {
        return { done: { ...base, coverageId: null, payerId: null, status: 'queued' } };
      }
      // A coordinator's verification: nothing leaves for a payer about a patient this site does not have (a coverage
      // recorded before this check existed could name one). Queued rows come from intake's requests, admissions and
      // recorded authorisations, whose patients intake referred or this check already passed.
      if (!call.queued) await requirePatientAtSite(manager, call.siteId, call.patientId);
      // A request claimed again after its worker stalled: past the cap, a person calls rather than the payer getting
      // yet another 270.
      const attempts = call.queued?.attempts ?? 0;
      if (call.queued && attempts >= this.maxAttempts) {
        const stuck: Verification = { ...base, coverageId: call.queued.coverageId, payerId: call.queued.payerId, status: 'in-progress' };
        return {
          done: await this.toPhone(manager, stuck, 'payer-unavailable', [
            `no answer recorded after ${attempts} electronic attempt${attempts === 1 ? '' : 's'}: verify by phone`,
          ]),
        };
      }
      const coverage = call.coverageId
        ? await coverageRepository.find(manager, call.siteId, call.coverageId)
        : await coverageRepository.inForce(manager, call.siteId, call.patientId, call.serviceDate);
      if (!coverage) {
        if (!call.queued) throw notFound('coverage.unknown', `there is no coverage ${call.coverageId ?? ''} for this patient at site ${call.siteId}`);
        const failed: Verification = { ...base, coverageId: null, payerId: null, status: 'failed', reason: 'no-coverage-on-file' };
        await this.finish(manager, failed, { followUpPending: false });
        return { done: failed };
      }
      await this.audit.record(manager, actor, {
        action: 'read',
        resource: `coverage:${coverage.coverageId}`,
        patientId: coverage.patientId,
        siteId: call.siteId,
        reason: 'eligibility verification',
      });
      const payer = await payerDirectory.require(manager, coverage.payerId);
      const started: Verification = { ...base, coverageId: coverage.coverageId, payerId: payer.payerId, status: 'in-progress' };
      // Checked at the moment of disclosure, in the transaction that records the 270: the consent rows stay locked
      // (FOR SHARE) until it commits, so a revocation being recorded meanwhile is either seen here or waits for it.
      const consent = await mayDiscloseForPayment(
        manager,
        { siteId: call.siteId, patientId: coverage.patientId, payerId: payer.payerId, at: new Date() },
        payer.name,
        { lock: true },
      );
      if (!consent.allowed) {
        if (!call.queued) throw new DomainError('consent.missing', consent.missing, 422);
        const failed: Verification = { ...started, status: 'failed', reason: 'consent-missing' };
        await this.finish(manager, failed, { followUpPending: false });
        return { done: failed };
      }
      if (payer.routing === 'phone' || !payer.electronicPayerId) {
        return {
          done: await this.toPhone(manager, started, 'not-offered-electronically', [
            `${payer.name} is verified by phone${payer.phone ? ` (${payer.phone})` : ''}`,
          ]),
        };
      }
      const cached = call.bypassCache ? null : await this.fromCache(coverage, call);
      if (cached) {
        const answered = this.answered({ ...started, fromCache: true }, cached.outcome, cached.benefits);
        await this.finish(manager, answered, { followUpPending: false });
        return { done: answered };
      }
      const inquiry = await this.build(manager, coverage, payer, call, started.verificationId);
      const inProgress: Verification = { ...started, status: 'in-progress', method: 'electronic' };
      await verificationRepository.save(manager, inProgress);
      await verificationRepository.countAttempt(manager, inProgress.verificationId);
      await verificationRepository.recordExchange(manager, inProgress, '270', inquiry);
      await this.audit.record(manager, actor, {
        action: 'disclose',
        resource: `eligibility-inquiry:${payer.payerId}`,
        patientId: coverage.patientId,
        siteId: call.siteId,
        reason: `payment: eligibility inquiry under consent ${consent.consentId}`,
      });
      return { send: { inquiry, coverage, payer, verification: inProgress } };
    });
    if (prepared.done) return prepared.done;

    // Step 2: the round trip, outside any transaction.
    const { inquiry, coverage, payer, verification } = prepared.send;
    let response: string | undefined;
    let failure: ClearinghouseError | undefined;
    try {
      response = await this.clearinghouse.exchange(inquiry, payer.electronicPayerId!);
    } catch (error) {
      if (!(error instanceof ClearinghouseError)) throw error;
      failure = error;
      this.log.warn(
        { verificationId: verification.verificationId, payerId: payer.payerId, failure: error.failure },
        'electronic verification failed; opening a phone task',
      );
    }

    // Step 3: keep the 271, read it, answer.
    return transact(async (manager) => {
      if (response === undefined) {
        return this.toPhone(manager, verification, 'payer-unavailable', [
          `${payer.name} could not be reached electronically (${failure?.message ?? 'no answer'}): verify by phone`,
        ]);
      }
      const parsed = tryParse271(response);
      // Kept as it came, with the deviations the reader found in it: the audit of the exchange.
      await verificationRepository.recordExchange(manager, verification, '271', response, parsed.ok ? parsed.value.warnings : []);
      if (!parsed.ok) {
        return this.toPhone(manager, verification, 'payer-error', [`the payer's 271 could not be read (${parsed.error.message}): verify by phone`]);
      }
      const warnings = parsed.value.warnings;
      const summary = summariseBenefits(parsed.value, { serviceTypes: serviceTypesFor(call.programType), serviceDate: call.serviceDate });
      const dependent = coverage.relationship !== 'self';
      const outcome = outcomeOf(summary, dependent, call.programType);
      const benefits = patientMember(summary, dependent) ?? summary;
      // Every rejection the payer sent leaves the coordinator a task saying what to do, whatever the outcome.
      const task = coordinatorTaskFor(rejectionsFor(summary, dependent));
      if (outcome.kind === 'unanswered') return this.toPhone(manager, { ...verification, benefits, warnings }, outcome.reason, outcome.messages, task);
      const answered = this.answered({ ...verification, warnings }, outcome, benefits);
      await this.finish(manager, answered, { followUpPending: false });
      await this.toCache(coverage, call, { outcome, benefits });
      if (task !== undefined) {
        const phoneTaskId = await phoneTaskRepository.open(manager, answered, answered.reason ?? 'payer-error', task);
        return { ...answered, phoneTaskId };
      }
      return answered;
    });
  }

  private answered(v: Verification, outcome: EligibilityOutcome, benefits: unknown): Verification {
    const status = outcome.kind === 'verified' ? 'verified' : outcome.kind === 'rejected' ? 'rejected' : 'failed';
    return { ...v, status, method: 'electronic', outcome, benefits, reason: outcome.kind === 'verified' ? null : outcome.reason };
  }

  private async toPhone(
    manager: EntityManager,
    v: Verification,
    reason: UnansweredReason,
    messages: readonly string[],
    task?: CoordinatorTask,
  ): Promise<VerificationView> {
    const waiting: Verification = { ...v, status: 'awaiting-phone', reason, outcome: { kind: 'unanswered', reason, messages } };
    await verificationRepository.save(manager, waiting);
    const phoneTaskId = await phoneTaskRepository.open(manager, waiting, reason, task);
    await this.answer(manager, waiting, { followUpPending: true });
    return { ...waiting, phoneTaskId };
  }

  /** Stores the result and, for a saga request, its answer to intake, in the same transaction. */
  async finish(manager: EntityManager, v: Verification, opts: { followUpPending: boolean }): Promise<void> {
    await verificationRepository.save(manager, v);
    await this.answer(manager, v, opts);
  }

  private async answer(manager: EntityManager, v: Verification, opts: { followUpPending: boolean }): Promise<void> {
    if (!v.requestId) return;
    const common = { requestId: v.requestId, patientId: v.patientId, siteId: v.siteId, verificationId: v.verificationId, occurredAt: new Date().toISOString() };
    const context = { correlationId: v.requestId };
    const outcome = v.outcome;
    if (v.status === 'verified' && outcome?.kind === 'verified') {
      await this.outbox.add(
        manager,
        CoverageVerified,
        {
          ...common,
          payerId: v.payerId ?? 'unknown',
          authorizationRequired: outcome.authorizationRequired,
          carveOut: outcome.carveOut,
          method: v.method ?? 'electronic',
        },
        context,
      );
    } else if (v.status === 'rejected' && outcome?.kind === 'rejected') {
      await this.outbox.add(manager, CoverageRejected, { ...common, reason: outcome.reason, method: v.method ?? 'electronic' }, context);
    } else {
      const reason = (v.reason ?? 'payer-error') as 'no-coverage-on-file' | 'consent-missing' | UnansweredReason;
      await this.outbox.add(manager, CoverageVerificationFailed, { ...common, reason, followUpPending: opts.followUpPending }, context);
    }
  }

  private async build(manager: EntityManager, coverage: Coverage, payer: Payer, call: VerificationCall, verificationId: string): Promise<string> {
    const [row] = (await manager.query(`SELECT nextval('insurance.interchange_control_numbers')::int AS n`)) as Array<{ n: number }>;
    const control = row!.n;
    const now = new Date().toISOString();
    const patient = coverage.patient;
    return build270({
      sender: { id: this.provider.submitterId },
      receiver: { id: payer.electronicPayerId! },
      controlNumbers: { interchange: control, group: control, transaction: String(control % 10_000).padStart(4, '0') },
      createdAt: { date: now.slice(0, 10), time: now.slice(11, 16) },
      reference: verificationId.replace(/-/g, '').slice(0, 30),
      informationSource: { payerName: payer.name.toUpperCase(), payerId: payer.electronicPayerId! },
      informationReceiver: { npi: this.provider.npi, name: this.provider.name },
      subscriber: {
        memberId: coverage.memberId,
        firstName: coverage.subscriber.firstName,
        lastName: coverage.subscriber.lastName,
        birthDate: coverage.subscriber.birthDate,
        ...(coverage.subscriber.gender ? { gender: coverage.subscriber.gender } : {}),
        ...(coverage.groupNumber ? { groupNumber: coverage.groupNumber } : {}),
      },
      ...(patient && coverage.relationship !== 'self'
        ? {
            dependent: {
              firstName: patient.firstName,
              lastName: patient.lastName,
              birthDate: patient.birthDate,
              relationship: coverage.relationship,
              ...(patient.gender ? { gender: patient.gender } : {}),
            },
          }
        : {}),
      trace: { number: verificationId, originatorId: this.provider.traceOriginator },
      serviceDate: call.serviceDate,
      serviceTypes: serviceTypesFor(call.programType),
    });
  }

  /** Keyed by a hash: member ids are PHI and Redis keys show up in monitoring. The patient is part of the key because a dependent shares the subscriber's member id. */
  private cacheKey(coverage: Coverage, call: VerificationCall): string {
    const material = [coverage.payerId, coverage.memberId, coverage.patientId, call.serviceDate, call.programType].join('|');
    return `insurance:eligibility:${createHash('sha256').update(material).digest('hex')}`;
  }

  private async fromCache(coverage: Coverage, call: VerificationCall): Promise<Cached | null> {
    try {
      const raw = await this.redis.get(this.cacheKey(coverage, call));
      return raw ? (JSON.parse(raw) as Cached) : null;
    } catch (error) {
      // A cache that is away costs a round trip, not a verification.
      this.log.warn({ err: error }, 'eligibility cache unavailable; asking the payer');
      return null;
    }
  }

  private async toCache(coverage: Coverage, call: VerificationCall, value: Cached): Promise<void> {
    try {
      await this.redis.set(this.cacheKey(coverage, call), JSON.stringify(value), { EX: this.cacheTtlSeconds });
    } catch (error) {
      this.log.warn({ err: error }, 'could not cache the eligibility answer');
    }
  }
}
