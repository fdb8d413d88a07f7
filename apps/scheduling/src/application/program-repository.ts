import type { EntityManager } from 'typeorm';
import type { LevelOfCare, Population, Program, ProgramKind } from '../domain/program';

interface ProgramRow {
  program_id: string;
  site_id: string;
  name: string;
  kind: ProgramKind;
  population: Population;
  level_of_care: LevelOfCare;
  min_weekly_minutes: number;
  max_weekly_minutes: number | null;
  per_diem_minimum_minutes: number;
  default_length_weeks: number;
  revision: number;
}

const toProgram = (r: ProgramRow): Program => ({
  programId: r.program_id,
  siteId: r.site_id,
  name: r.name,
  kind: r.kind,
  population: r.population,
  levelOfCare: r.level_of_care,
  minWeeklyMinutes: r.min_weekly_minutes,
  maxWeeklyMinutes: r.max_weekly_minutes,
  perDiemMinimumMinutes: r.per_diem_minimum_minutes,
  defaultLengthWeeks: r.default_length_weeks,
  revision: r.revision,
});

export const programRepository = {
  async find(manager: EntityManager, programId: string, lock = false): Promise<Program | null> {
    const [row] = (await manager.query(`SELECT * FROM scheduling.programs WHERE program_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [programId])) as ProgramRow[];
    return row ? toProgram(row) : null;
  },
  async list(manager: EntityManager, siteId: string): Promise<Program[]> {
    const rows = (await manager.query(`SELECT * FROM scheduling.programs WHERE site_id = $1 ORDER BY lower(name), program_id`, [siteId])) as ProgramRow[];
    return rows.map(toProgram);
  },
  /** The ids among `ids` that are programs of the site. */
  async existing(manager: EntityManager, siteId: string, ids: readonly string[]): Promise<Set<string>> {
    const rows = (await manager.query(`SELECT program_id FROM scheduling.programs WHERE site_id = $1 AND program_id = ANY($2::uuid[])`, [
      siteId,
      ids,
    ])) as Array<{
      program_id: string;
    }>;
    return new Set(rows.map((r) => r.program_id));
  },
  async save(manager: EntityManager, p: Program): Promise<void> {
    await manager.query(
      `INSERT INTO scheduling.programs (program_id, site_id, name, kind, population, level_of_care, min_weekly_minutes, max_weekly_minutes,
                                        per_diem_minimum_minutes, default_length_weeks, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (program_id) DO UPDATE SET name = $3, min_weekly_minutes = $7, max_weekly_minutes = $8, per_diem_minimum_minutes = $9,
                                              default_length_weeks = $10, revision = $11, updated_at = now()`,
      [
        p.programId,
        p.siteId,
        p.name,
        p.kind,
        p.population,
        p.levelOfCare,
        p.minWeeklyMinutes,
        p.maxWeeklyMinutes,
        p.perDiemMinimumMinutes,
        p.defaultLengthWeeks,
        p.revision,
      ],
    );
  },
};
