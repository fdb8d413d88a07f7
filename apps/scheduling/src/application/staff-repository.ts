import type { EntityManager } from 'typeorm';
import type { ClinicianView, RoomView } from '../api/staff.schemas';

interface ClinicianRow {
  clinician_id: string;
  site_id: string;
  subject: string;
  display_name: string;
  roles: string[];
  program_ids: string[];
  active: boolean;
  revision: number;
}
interface RoomRow {
  room_id: string;
  site_id: string;
  name: string;
  capacity: number;
  virtual: boolean;
  active: boolean;
  revision: number;
}

export type Clinician = ClinicianView;
export type Room = RoomView;

const toClinician = (r: ClinicianRow): Clinician => ({
  clinicianId: r.clinician_id,
  siteId: r.site_id,
  subject: r.subject,
  displayName: r.display_name,
  roles: r.roles as Clinician['roles'],
  programIds: r.program_ids,
  active: r.active,
  revision: r.revision,
});
const toRoom = (r: RoomRow): Room => ({
  roomId: r.room_id,
  siteId: r.site_id,
  name: r.name,
  capacity: r.capacity,
  virtual: r.virtual,
  active: r.active,
  revision: r.revision,
});

/** Clinicians and rooms as the caller's transaction sees them (row-level security applies). */
export const staffRepository = {
  async clinician(manager: EntityManager, clinicianId: string, lock = false): Promise<Clinician | null> {
    const [row] = (await manager.query(`SELECT * FROM scheduling.clinicians WHERE clinician_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
      clinicianId,
    ])) as ClinicianRow[];
    return row ? toClinician(row) : null;
  },
  async clinicians(manager: EntityManager, siteId: string): Promise<Clinician[]> {
    const rows = (await manager.query(`SELECT * FROM scheduling.clinicians WHERE site_id = $1 ORDER BY lower(display_name), clinician_id`, [
      siteId,
    ])) as ClinicianRow[];
    return rows.map(toClinician);
  },
  async cliniciansById(manager: EntityManager, ids: readonly string[]): Promise<Map<string, Clinician>> {
    const rows = (await manager.query(`SELECT * FROM scheduling.clinicians WHERE clinician_id = ANY($1::uuid[])`, [ids])) as ClinicianRow[];
    return new Map(rows.map((r) => [r.clinician_id, toClinician(r)]));
  },
  async saveClinician(manager: EntityManager, c: Clinician): Promise<void> {
    await manager.query(
      `INSERT INTO scheduling.clinicians (clinician_id, site_id, subject, display_name, roles, program_ids, active, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (clinician_id) DO UPDATE SET display_name = $4, roles = $5, program_ids = $6, active = $7, revision = $8`,
      [c.clinicianId, c.siteId, c.subject, c.displayName, c.roles, c.programIds, c.active, c.revision],
    );
  },
  async room(manager: EntityManager, roomId: string, lock = false): Promise<Room | null> {
    const [row] = (await manager.query(`SELECT * FROM scheduling.rooms WHERE room_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [roomId])) as RoomRow[];
    return row ? toRoom(row) : null;
  },
  async rooms(manager: EntityManager, siteId: string): Promise<Room[]> {
    const rows = (await manager.query(`SELECT * FROM scheduling.rooms WHERE site_id = $1 ORDER BY lower(name), room_id`, [siteId])) as RoomRow[];
    return rows.map(toRoom);
  },
  async roomsById(manager: EntityManager, ids: readonly string[]): Promise<Map<string, Room>> {
    const rows = (await manager.query(`SELECT * FROM scheduling.rooms WHERE room_id = ANY($1::uuid[])`, [ids])) as RoomRow[];
    return new Map(rows.map((r) => [r.room_id, toRoom(r)]));
  },
  async saveRoom(manager: EntityManager, r: Room): Promise<void> {
    await manager.query(
      `INSERT INTO scheduling.rooms (room_id, site_id, name, capacity, virtual, active, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (room_id) DO UPDATE SET name = $3, capacity = $4, virtual = $5, active = $6, revision = $7`,
      [r.roomId, r.siteId, r.name, r.capacity, r.virtual, r.active, r.revision],
    );
  },
};
