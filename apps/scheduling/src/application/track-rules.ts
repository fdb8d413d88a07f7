import type { EntityManager } from 'typeorm';
import { DomainError } from '@iop/platform';
import type { Program } from '../domain/program';
import { staffRepository } from './staff-repository';
import type { Delivery } from './track-repository';

export interface Staffing {
  readonly leaderId: string;
  readonly coLeaderId: string | null;
  readonly roomId: string;
  readonly capacity: number;
  readonly delivery: Delivery;
}

/**
 * Who leads a group and where: each leader and co-leader must be an active clinician of the site allowed to lead the
 * program's groups; the room must be the site's, active, big enough for the group, and virtual exactly when the group
 * meets by telehealth only. `label` names the session in the message ("session 2").
 */
export async function checkStaffing(manager: EntityManager, program: Program, sessions: ReadonlyArray<Staffing & { label: string }>): Promise<void> {
  const clinicians = await staffRepository.cliniciansById(manager, [
    ...new Set(sessions.flatMap((s) => [s.leaderId, ...(s.coLeaderId ? [s.coLeaderId] : [])])),
  ]);
  const rooms = await staffRepository.roomsById(manager, [...new Set(sessions.map((s) => s.roomId))]);
  for (const s of sessions) {
    for (const [what, id] of [
      ['leader', s.leaderId],
      ['co-leader', s.coLeaderId],
    ] as const) {
      if (!id) continue;
      const clinician = clinicians.get(id);
      if (!clinician || clinician.siteId !== program.siteId) {
        throw new DomainError('track.unknown-clinician', `${s.label}: the ${what} ${id} is not a clinician of this site`, 422);
      }
      if (!clinician.active) throw new DomainError('track.clinician-inactive', `${s.label}: the ${what} ${clinician.displayName} is no longer active`, 422);
      if (!clinician.programIds.includes(program.programId)) {
        throw new DomainError(
          'track.leader-not-allowed',
          `${s.label}: the ${what} ${clinician.displayName} (${id}) may not lead groups of program ${program.name}; add the program to the clinician first`,
          422,
        );
      }
    }
    const room = rooms.get(s.roomId);
    if (!room || room.siteId !== program.siteId) throw new DomainError('track.unknown-room', `${s.label}: ${s.roomId} is not a room of this site`, 422);
    if (!room.active) throw new DomainError('track.room-inactive', `${s.label}: room ${room.name} is no longer in use`, 422);
    if (room.capacity < s.capacity) {
      throw new DomainError('track.room-too-small', `${s.label}: room ${room.name} holds ${room.capacity}, the group takes ${s.capacity}`, 422);
    }
    if (s.delivery === 'telehealth' && !room.virtual) {
      throw new DomainError('track.room-not-virtual', `${s.label}: a telehealth group meets in a virtual room, not ${room.name}`, 422);
    }
    if (s.delivery !== 'telehealth' && room.virtual) {
      throw new DomainError('track.room-virtual', `${s.label}: an ${s.delivery} group needs a real room, ${room.name} is virtual`, 422);
    }
  }
}
