import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@iop/auth';
import { DomainError, UnitOfWork, conflict } from '@iop/platform';
import type { RecordCoverageBody } from '../api/coverage.schemas';
import { coverageRepository, type Coverage } from './coverage-repository';
import { requirePatientAtSite } from './patient-site-read-model';
import { payerDirectory } from './payer-directory';

/** An insurance coordinator records a patient's plan from the card; the write is audited as PHI. */
@Injectable()
export class RecordCoverage {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
  ) {}

  execute(siteId: string, body: RecordCoverageBody): Promise<Coverage> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      await payerDirectory.require(manager, body.payerId);
      if (body.relationship !== 'self' && !body.patient) {
        throw new DomainError(
          'coverage.patient-required',
          `the patient is the subscriber's ${body.relationship}: give the patient's name and birth date as well`,
          400,
        );
      }
      await requirePatientAtSite(manager, siteId, body.patientId);
      const coverage: Coverage = {
        coverageId: crypto.randomUUID(),
        siteId,
        patientId: body.patientId,
        payerId: body.payerId,
        priority: body.priority,
        memberId: body.memberId,
        groupNumber: body.groupNumber ?? null,
        relationship: body.relationship,
        subscriber: body.subscriber,
        patient: body.relationship === 'self' ? null : (body.patient ?? null),
        planBegin: body.planBegin ?? null,
        planEnd: body.planEnd ?? null,
      };
      try {
        await coverageRepository.insert(manager, coverage);
      } catch (error) {
        if ((error as { code?: string }).code === '23505') {
          throw conflict('coverage.priority-taken', `the patient already has a ${body.priority} coverage at this site`);
        }
        throw error;
      }
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'create', resource: `coverage:${coverage.coverageId}`, patientId: coverage.patientId, siteId },
      );
      return coverage;
    });
  }
}
