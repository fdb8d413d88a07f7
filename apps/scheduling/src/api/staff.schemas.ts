import { z } from 'zod';
import { Id } from '@iop/contracts';
import { ResponseId, keysOf, nameSchemas } from '@iop/platform';

export const CLINICIAN_ROLES = keysOf({ therapist: true, psychiatrist: true, prescriber: true, nurse: true, 'case-manager': true, 'peer-specialist': true });
export const ClinicianRole = z.enum(CLINICIAN_ROLES);

const DisplayName = z.string().trim().min(1, 'give a name').max(120);
const ClinicianRoles = z.array(ClinicianRole).min(1, 'give the clinician at least one role').max(6);
const ProgramIds = z.array(Id).max(100).describe('Programs whose group sessions the clinician may lead or co-lead');

export const AddClinicianBody = z.strictObject({
  subject: z.string().trim().min(1).max(200).describe('The subject of the clinician\'s access token ("sub")'),
  displayName: DisplayName,
  roles: ClinicianRoles,
  programIds: ProgramIds.default([]),
});
export type AddClinicianBody = z.infer<typeof AddClinicianBody>;

export const ChangeClinicianBody = z
  .strictObject({ displayName: DisplayName, roles: ClinicianRoles, programIds: ProgramIds, active: z.boolean() })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' });
export type ChangeClinicianBody = z.infer<typeof ChangeClinicianBody>;

const RoomName = z.string().trim().min(1, 'give the room a name').max(120);
const RoomCapacity = z.number().int('a room holds a whole number of people').min(1).max(500);

export const AddRoomBody = z.strictObject({
  name: RoomName,
  capacity: RoomCapacity,
  virtual: z.boolean().default(false).describe('A telehealth room (a video meeting), not a place'),
});
export type AddRoomBody = z.infer<typeof AddRoomBody>;

export const ChangeRoomBody = z
  .strictObject({ name: RoomName, capacity: RoomCapacity, virtual: z.boolean(), active: z.boolean() })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' });
export type ChangeRoomBody = z.infer<typeof ChangeRoomBody>;

/* Responses */

export const ClinicianView = z.object({
  clinicianId: ResponseId,
  siteId: ResponseId,
  subject: z.string(),
  displayName: z.string(),
  roles: z.array(ClinicianRole),
  programIds: z.array(ResponseId),
  active: z.boolean(),
  revision: z.number().int().min(1),
});
export type ClinicianView = z.infer<typeof ClinicianView>;
export const ClinicianList = z.array(ClinicianView).describe("The site's clinicians by name");

export const RoomView = z.object({
  roomId: ResponseId,
  siteId: ResponseId,
  name: z.string(),
  capacity: z.number().int().min(1),
  virtual: z.boolean(),
  active: z.boolean(),
  revision: z.number().int().min(1),
});
export type RoomView = z.infer<typeof RoomView>;
export const RoomList = z.array(RoomView).describe("The site's rooms by name");

nameSchemas({ Clinician: ClinicianView, Room: RoomView });
