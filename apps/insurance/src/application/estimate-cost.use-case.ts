import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@iop/auth';
import { DomainError, UnitOfWork, notFound } from '@iop/platform';
import type { EstimateBody } from '../api/verification.schemas';
import { estimateEpisodeCost, figuresFromTier, type CostEstimate, type IopBillingCode, type TierBenefitFigures } from '../domain/cost-estimate';
import type { MemberBenefitSummary, ServiceTypeSummary } from '../domain/eligibility';
import { verificationRepository, type Verification } from './verification-repository';

/** The service types whose figures apply to each billed code, most specific first. */
const SERVICE_TYPES_FOR: Readonly<Record<IopBillingCode, readonly string[]>> = {
  H0015: ['CH', 'AI'],
  S9480: ['CF', 'A8', 'MH'],
};

const UNKNOWN: TierBenefitFigures = {
  remainingDeductibleCents: undefined,
  coinsuranceBasisPoints: undefined,
  copayPerDayCents: undefined,
  remainingOutOfPocketCents: undefined,
};

export interface EstimateView {
  readonly verificationId: string;
  readonly perDiemCents: number;
  readonly serviceType: string | undefined;
  readonly estimate: CostEstimate;
  readonly assumptions: { readonly inNetwork: readonly string[]; readonly outOfNetwork: readonly string[] };
}

function hasFigures(s: ServiceTypeSummary): boolean {
  const t = s.inNetwork;
  return t.coinsurance !== undefined || t.copay !== undefined || t.deductible.individual !== undefined || t.nonCovered;
}

interface PhoneFigures {
  remainingDeductibleCents?: number;
  coinsuranceBasisPoints?: number;
  copayPerDayCents?: number;
  remainingOutOfPocketCents?: number;
}

/** Per-diem from the site's fee schedule and the figures from the patient's verification: each step shown. */
@Injectable()
export class EstimateCost {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
  ) {}

  execute(siteId: string, body: EstimateBody): Promise<EstimateView> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const verification = await verificationRepository.find(manager, siteId, body.verificationId);
      if (!verification) throw notFound('verification.unknown', `there is no verification ${body.verificationId} at site ${siteId}`);
      if (verification.status !== 'verified') {
        throw new DomainError(
          'estimate.not-verified',
          `verification ${body.verificationId} is ${verification.status}: an estimate needs verified coverage`,
          409,
        );
      }
      const [fee] = (await manager.query(`SELECT per_diem_cents FROM insurance.fee_schedule WHERE site_id = $1 AND billing_code = $2`, [
        siteId,
        body.billingCode,
      ])) as Array<{ per_diem_cents: number }>;
      if (!fee)
        throw new DomainError(
          'fee-schedule.missing',
          `site ${siteId} has no per-diem rate for ${body.billingCode}: a site admin sets it with PUT /sites/${siteId}/fee-schedule/${body.billingCode}`,
          409,
        );
      const { serviceType, inNetwork, outOfNetwork } = this.figures(verification, body.billingCode);
      const estimate = estimateEpisodeCost({
        plan: { weeks: body.weeks, daysPerWeek: body.daysPerWeek, billingCode: body.billingCode, perDiemCents: fee.per_diem_cents },
        inNetwork: inNetwork.figures,
        outOfNetwork: outOfNetwork.figures,
      });
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'read', resource: `verification:${verification.verificationId}`, patientId: verification.patientId, siteId, reason: 'cost estimate' },
      );
      return {
        verificationId: verification.verificationId,
        perDiemCents: fee.per_diem_cents,
        serviceType,
        estimate,
        assumptions: { inNetwork: inNetwork.assumptions, outOfNetwork: outOfNetwork.assumptions },
      };
    });
  }

  private figures(v: Verification, code: IopBillingCode) {
    if (v.method === 'phone') {
      // The phone form records in-network figures only; out of network stays unknown rather than guessed.
      const said = (v.benefits ?? {}) as PhoneFigures;
      return {
        serviceType: undefined,
        inNetwork: {
          figures: {
            remainingDeductibleCents: said.remainingDeductibleCents,
            coinsuranceBasisPoints: said.coinsuranceBasisPoints,
            copayPerDayCents: said.copayPerDayCents,
            remainingOutOfPocketCents: said.remainingOutOfPocketCents,
          },
          assumptions: ['Figures as the payer gave them by phone.'],
        },
        outOfNetwork: { figures: UNKNOWN, assumptions: ['The phone verification recorded no out-of-network figures.'] },
      };
    }
    const member = v.benefits as MemberBenefitSummary;
    const candidates = SERVICE_TYPES_FOR[code]
      .map((c) => member.serviceTypes.find((s) => s.code === c))
      .filter((s): s is ServiceTypeSummary => s !== undefined);
    const chosen = candidates.find(hasFigures) ?? candidates[0];
    if (!chosen) {
      throw new DomainError(
        'estimate.service-not-verified',
        `the verification did not ask about the services billed as ${code}: verify for the matching programme first`,
        409,
      );
    }
    return { serviceType: chosen.code, inNetwork: figuresFromTier(chosen.inNetwork), outOfNetwork: figuresFromTier(chosen.outOfNetwork) };
  }
}
