import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@iop/auth';
import { UnitOfWork } from '@iop/platform';
import { patientRepository, type PatientCorrection } from '../infrastructure/patient.repository';
import { auditPatient } from './audit';
import { patientNotFound } from './intake-errors';
import { contactDetails } from './referral-queries';

/**
 * A coordinator corrects a name misheard on the phone, a mistyped number or birth date. The audit row names the
 * fields changed, never their values; no event is published, because no other service holds contact details.
 * Repeat-caller matching uses the corrected details from the next call on.
 */
@Injectable()
export class CorrectPatient {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
  ) {}

  execute(patientId: string, changes: PatientCorrection) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      // Row-level security: a patient of another site is not found, exactly like one that does not exist.
      const before = await patientRepository.find(manager, patientId);
      if (!before) throw patientNotFound(patientId);
      await patientRepository.correct(manager, patientId, changes);
      await auditPatient(
        this.audit,
        manager,
        { principal, requestId },
        'update',
        `patient:${patientId}`,
        before,
        `corrected ${Object.keys(changes).sort().join(', ')}`,
      );
      const after = await patientRepository.find(manager, patientId);
      return contactDetails(after!);
    });
  }
}
