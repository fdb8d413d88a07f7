import { Injectable } from '@nestjs/common';
import { DomainError, UnitOfWork, notFound } from '@iop/platform';
import type { EntityManager } from 'typeorm';
import type { AddClinicianBody, AddRoomBody, ChangeClinicianBody, ChangeRoomBody } from '../api/staff.schemas';
import { programRepository } from './program-repository';
import { siteOrNotFound, uniquely } from './site-guard';
import { staffRepository, type Clinician, type Room } from './staff-repository';

async function checkPrograms(manager: EntityManager, siteId: string, programIds: readonly string[]): Promise<void> {
  const known = await programRepository.existing(manager, siteId, programIds);
  const unknown = programIds.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new DomainError('clinician.unknown-program', `site ${siteId} has no program ${unknown.join(', ')}`, 422);
}

/** A site admin adds a clinician, linked to the subject of their access token, and the programs they may lead. */
@Injectable()
export class AddClinician {
  constructor(private readonly uow: UnitOfWork) {}

  execute(siteId: string, body: AddClinicianBody): Promise<Clinician> {
    return this.uow.run(async ({ manager }) => {
      await siteOrNotFound(manager, siteId);
      const programIds = [...new Set(body.programIds)];
      await checkPrograms(manager, siteId, programIds);
      const clinician: Clinician = {
        clinicianId: crypto.randomUUID(),
        siteId,
        subject: body.subject,
        displayName: body.displayName,
        roles: [...new Set(body.roles)],
        programIds,
        active: true,
        revision: 1,
      };
      await uniquely(
        () => staffRepository.saveClinician(manager, clinician),
        'clinician.subject-taken',
        `a clinician with subject "${body.subject}" already works at this site`,
      );
      return clinician;
    });
  }
}

@Injectable()
export class ChangeClinician {
  constructor(private readonly uow: UnitOfWork) {}

  execute(clinicianId: string, body: ChangeClinicianBody): Promise<Clinician> {
    return this.uow.run(async ({ manager }) => {
      const current = await staffRepository.clinician(manager, clinicianId, true);
      if (!current) throw notFound('clinician.unknown', `there is no clinician ${clinicianId}`);
      const programIds = body.programIds ? [...new Set(body.programIds)] : current.programIds;
      if (body.programIds) await checkPrograms(manager, current.siteId, programIds);
      const next: Clinician = {
        ...current,
        ...(body.displayName !== undefined ? { displayName: body.displayName } : {}),
        ...(body.roles ? { roles: [...new Set(body.roles)] } : {}),
        ...(body.active !== undefined ? { active: body.active } : {}),
        programIds,
      };
      if (JSON.stringify(next) === JSON.stringify(current)) return current;
      const changed = { ...next, revision: current.revision + 1 };
      await staffRepository.saveClinician(manager, changed);
      return changed;
    });
  }
}

/** A site admin adds a room (a virtual one is a telehealth meeting room). */
@Injectable()
export class AddRoom {
  constructor(private readonly uow: UnitOfWork) {}

  execute(siteId: string, body: AddRoomBody): Promise<Room> {
    return this.uow.run(async ({ manager }) => {
      await siteOrNotFound(manager, siteId);
      const room: Room = { roomId: crypto.randomUUID(), siteId, name: body.name, capacity: body.capacity, virtual: body.virtual, active: true, revision: 1 };
      await uniquely(() => staffRepository.saveRoom(manager, room), 'room.name-taken', `the site already has a room named "${body.name}"`);
      return room;
    });
  }
}

@Injectable()
export class ChangeRoom {
  constructor(private readonly uow: UnitOfWork) {}

  execute(roomId: string, body: ChangeRoomBody): Promise<Room> {
    return this.uow.run(async ({ manager }) => {
      const current = await staffRepository.room(manager, roomId, true);
      if (!current) throw notFound('room.unknown', `there is no room ${roomId}`);
      const next: Room = { ...current, ...body };
      if (JSON.stringify(next) === JSON.stringify(current)) return current;
      if (next.capacity < current.capacity) await mustHoldItsGroups(manager, next);
      const changed = { ...next, revision: current.revision + 1 };
      await uniquely(() => staffRepository.saveRoom(manager, changed), 'room.name-taken', `the site already has a room named "${body.name ?? ''}"`);
      return changed;
    });
  }
}

/** A room cannot shrink below a group planned in it: the track's block or a session still ahead. */
async function mustHoldItsGroups(manager: EntityManager, room: Room): Promise<void> {
  const [largest] = (await manager.query(
    `SELECT max(capacity)::int AS capacity FROM (
       SELECT ts.capacity FROM scheduling.track_sessions ts JOIN scheduling.tracks t USING (track_id) WHERE ts.room_id = $1 AND t.active
       UNION ALL
       SELECT capacity FROM scheduling.sessions WHERE room_id = $1 AND status = 'scheduled' AND starts_at > now()) groups`,
    [room.roomId],
  )) as Array<{ capacity: number | null }>;
  if (largest?.capacity && largest.capacity > room.capacity) {
    throw new DomainError(
      'room.too-small-for-its-groups',
      `room ${room.name} has groups of up to ${largest.capacity} planned in it; move them before it holds ${room.capacity}`,
      422,
    );
  }
}
