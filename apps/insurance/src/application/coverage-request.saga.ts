import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { CoverageRequestCancelled, CoverageVerificationRequested } from '@iop/contracts';
import { onEvent, type EventHandler } from '@iop/messaging';
import { ALL_SITES, inScopedTransaction, sitesScope } from '@iop/persistence';
import { LOGGER } from '@iop/platform';
import { AUTHORIZATION_REVIEW } from './authorization-watch';
import { MONTHLY_REVERIFICATION } from './monthly-reverification';
import { verificationRepository, type Verification } from './verification-repository';
import { VerifyCoverage } from './verify-coverage';

/**
 * Intake's request is queued in the consumer's transaction (with its inbox row), so a redelivery queues nothing
 * twice; the verification itself, which waits on a payer for seconds, runs in the worker below, outside the
 * consumer and outside any transaction.
 */
export const coverageRequestHandlers: readonly EventHandler[] = [
  onEvent(CoverageVerificationRequested, async (r, _meta, manager) => {
    await manager.query(
      `INSERT INTO insurance.verifications (verification_id, site_id, patient_id, service_date, program_type, request_id, consent_id, status, requested_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 'intake.admission-saga') ON CONFLICT (request_id) DO NOTHING`,
      [crypto.randomUUID(), r.siteId, r.patientId, r.serviceDate, r.programType, r.requestId, r.consentId ?? null],
    );
  }),
  /*
   * Intake withdrew the request (a coordinator cancelled it, self-pay went ahead, the referral closed): a request not
   * yet sent to the payer is withdrawn, so no 270 discloses anything for an admission that is no longer wanted. One
   * already with the payer finishes (its answer is evidence) and intake ignores it. Same key as the request, so the
   * request is always queued before its withdrawal arrives.
   */
  onEvent(CoverageRequestCancelled, async (c, _meta, manager) => {
    await manager.query(
      `UPDATE insurance.verifications SET status = 'failed', reason = 'withdrawn-by-intake', completed_at = now()
        WHERE request_id = $1 AND site_id = $2 AND status = 'queued'`,
      [c.requestId, c.siteId],
    );
  }),
];

/** Works through queued saga requests, one at a time per instance; several instances share the queue (SKIP LOCKED). */
@Injectable()
export class CoverageRequestWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly idleMs = Number(process.env['VERIFICATION_WORKER_POLL_MS'] ?? 250);
  /** A claim this old is taken to be abandoned by its worker and claimed again (each 270 counts towards the cap). */
  private readonly staleAfterSeconds = Number(process.env['VERIFICATION_STALE_AFTER_SECONDS'] ?? 120);

  constructor(
    private readonly dataSource: DataSource,
    private readonly verify: VerifyCoverage,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let claimed: Verification | null = null;
      try {
        claimed = await inScopedTransaction(this.dataSource, ALL_SITES, (m) => verificationRepository.claimQueued(m, this.staleAfterSeconds));
        if (claimed) await this.process(claimed);
      } catch (error) {
        this.log.error({ err: error, verificationId: claimed?.verificationId }, 'coverage request failed');
      }
      if (!claimed) await new Promise((r) => setTimeout(r, this.idleMs));
    }
  }

  private async process(queued: Verification): Promise<void> {
    const scope = sitesScope([queued.siteId]);
    await this.verify.run(
      (work) => inScopedTransaction(this.dataSource, scope, work),
      { principal: { subject: 'insurance.admission-saga', roles: ['insurance_coordinator'], siteIds: [queued.siteId], allSites: false } },
      {
        siteId: queued.siteId,
        patientId: queued.patientId,
        serviceDate: queued.serviceDate,
        programType: queued.programType,
        queued,
        // A scheduled re-verification exists to catch a change: it asks the payer, not yesterday's cached answer.
        bypassCache: queued.requestedBy === MONTHLY_REVERIFICATION || queued.requestedBy === AUTHORIZATION_REVIEW,
      },
    );
  }
}
