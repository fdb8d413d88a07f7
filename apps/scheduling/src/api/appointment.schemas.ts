import { z } from 'zod';
import { Id } from '@iop/contracts';
import { ResponseId, ResponseInstant, nameSchemas } from '@iop/platform';

export const APPOINTMENT_KINDS = ['individual-therapy', 'family-therapy', 'psychiatric-evaluation', 'medication-management', 'case-management'] as const;
export const MAX_APPOINTMENT_MINUTES = 8 * 60;

const Instant = z.iso.datetime({ offset: true, message: 'an ISO 8601 instant with its offset, e.g. 2031-03-03T14:00:00-05:00' });

const timeRule = <T extends { startsAt: string; endsAt: string }>(b: T, ctx: z.RefinementCtx) => {
  const minutes = (Date.parse(b.endsAt) - Date.parse(b.startsAt)) / 60_000;
  if (!(minutes > 0)) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'an appointment must end after it starts' });
  else if (minutes > MAX_APPOINTMENT_MINUTES) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'an appointment lasts at most 8 hours' });
};

export const BookAppointmentBody = z
  .strictObject({
    patientId: Id,
    clinicianId: Id,
    kind: z.enum(APPOINTMENT_KINDS),
    roomId: Id.optional().describe('A room of the site; leave out for telehealth'),
    telehealth: z.boolean().default(false),
    startsAt: Instant,
    endsAt: Instant,
  })
  .superRefine((b, ctx) => {
    if (!b.telehealth && !b.roomId) ctx.addIssue({ code: 'custom', path: ['roomId'], message: 'name a room of the site, or set telehealth' });
    timeRule(b, ctx);
  });
export type BookAppointmentBody = z.infer<typeof BookAppointmentBody>;

export const RescheduleAppointmentBody = z
  .strictObject({
    startsAt: Instant,
    endsAt: Instant,
    clinicianId: Id.optional(),
    roomId: Id.nullable().optional().describe('A new room; null with telehealth true to move it online'),
    telehealth: z.boolean().optional(),
  })
  .superRefine((b, ctx) => {
    if (b.telehealth === false && b.roomId === null) ctx.addIssue({ code: 'custom', path: ['roomId'], message: 'an in-person appointment needs a room' });
    timeRule(b, ctx);
  });
export type RescheduleAppointmentBody = z.infer<typeof RescheduleAppointmentBody>;

export const CancelAppointmentBody = z.strictObject({
  reason: z.string().trim().min(1, 'say why the appointment is cancelled').max(500),
  cancelledBy: z
    .enum(['patient', 'clinic'])
    .default('clinic')
    .describe("Who asked for it: the patient (attendance counts it against the patient's scheduled hours) or the clinic (the default)"),
});
export type CancelAppointmentBody = z.infer<typeof CancelAppointmentBody>;

export const AppointmentView = z.object({
  appointmentId: ResponseId,
  siteId: ResponseId,
  patientId: ResponseId,
  enrolmentId: ResponseId,
  clinicianId: ResponseId,
  kind: z.enum(APPOINTMENT_KINDS),
  roomId: ResponseId.nullable(),
  telehealth: z.boolean(),
  startsAt: ResponseInstant,
  endsAt: ResponseInstant,
  status: z.enum(['booked', 'cancelled']),
  cancelReason: z.string().nullable(),
  revision: z.number().int().min(1),
});

nameSchemas({ Appointment: AppointmentView });
