import { Injectable } from '@nestjs/common';
import { ProgramChanged, ProgramDefined } from '@iop/contracts';
import { Outbox } from '@iop/messaging';
import { DomainError, UnitOfWork, notFound } from '@iop/platform';
import type { EntityManager } from 'typeorm';
import type { ChangeProgramBody, DefineProgramBody } from '../api/program.schemas';
import { programDefaults, type Program } from '../domain/program';
import { programRepository } from './program-repository';
import { siteOrNotFound, uniquely } from './site-guard';

function eventOf(p: Program) {
  const { name: _name, ...rules } = p;
  return { ...rules, occurredAt: new Date().toISOString() };
}

function checkRange(p: Program): void {
  if (p.maxWeeklyMinutes !== null && p.maxWeeklyMinutes < p.minWeeklyMinutes) {
    throw new DomainError('program.range-inverted', `the most weekly minutes (${p.maxWeeklyMinutes}) is below the least (${p.minWeeklyMinutes})`, 422);
  }
}

/** A site admin defines a program; what is not given comes from ASAM's defaults for its level and population. */
@Injectable()
export class DefineProgram {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
  ) {}

  execute(siteId: string, body: DefineProgramBody): Promise<Program> {
    return this.uow.run(async ({ manager, requestId }) => {
      await siteOrNotFound(manager, siteId);
      const defaults = programDefaults(body.levelOfCare, body.population);
      const program: Program = {
        programId: crypto.randomUUID(),
        siteId,
        name: body.name,
        kind: body.kind,
        population: body.population,
        levelOfCare: body.levelOfCare,
        minWeeklyMinutes: body.minWeeklyMinutes ?? defaults.minWeeklyMinutes,
        maxWeeklyMinutes: body.maxWeeklyMinutes === undefined ? defaults.maxWeeklyMinutes : body.maxWeeklyMinutes,
        perDiemMinimumMinutes: body.perDiemMinimumMinutes ?? defaults.perDiemMinimumMinutes,
        defaultLengthWeeks: body.defaultLengthWeeks ?? defaults.defaultLengthWeeks,
        revision: 1,
      };
      checkRange(program);
      await uniquely(() => programRepository.save(manager, program), 'program.name-taken', `the site already has a program named "${body.name}"`);
      await this.outbox.add(manager, ProgramDefined, eventOf(program), { correlationId: requestId });
      return program;
    });
  }
}

@Injectable()
export class ChangeProgram {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
  ) {}

  execute(programId: string, body: ChangeProgramBody): Promise<Program> {
    return this.uow.run(async ({ manager, requestId }) => {
      const current = await programOrNotFound(manager, programId, true);
      const next: Program = { ...current, ...body };
      if (JSON.stringify(next) === JSON.stringify(current)) return current;
      checkRange(next);
      const changed = { ...next, revision: current.revision + 1 };
      await uniquely(() => programRepository.save(manager, changed), 'program.name-taken', `the site already has a program named "${body.name ?? ''}"`);
      await this.outbox.add(manager, ProgramChanged, eventOf(changed), { correlationId: requestId });
      return changed;
    });
  }
}

export async function programOrNotFound(manager: EntityManager, programId: string, lock = false): Promise<Program> {
  const program = await programRepository.find(manager, programId, lock);
  if (!program) throw notFound('program.unknown', `there is no program ${programId}`);
  return program;
}
