import { Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UnitOfWork, UuidParam, ValidBody } from '@iop/platform';
import { programRepository } from '../application/program-repository';
import { ChangeProgram, DefineProgram, programOrNotFound } from '../application/program.use-cases';
import { siteOrNotFound } from '../application/site-guard';
import { describeRange, type Program } from '../domain/program';
import { ChangeProgramBody, DefineProgramBody, ProgramList, ProgramView } from './program.schemas';
import { SCHEDULE_READERS, SITE_ADMINS } from './roles';

const view = (p: Program) => ({ ...p, weeklyRange: describeRange(p) });

@ApiTags('programs')
@ApiBearerAuth()
@Controller()
export class ProgramsController {
  constructor(
    private readonly defineProgram: DefineProgram,
    private readonly changeProgram: ChangeProgram,
    private readonly uow: UnitOfWork,
  ) {}

  @Post('sites/:siteId/programs')
  @HttpCode(201)
  @Access({ roles: SITE_ADMINS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "Define a program: kind, population, level of care; weekly range, per-diem minimum and length default to ASAM's" })
  @ApiBodyFrom(DefineProgramBody)
  @Returns(ProgramView, { status: 201, description: 'The program as defined' })
  async define(@UuidParam('siteId') siteId: string, @ValidBody(DefineProgramBody) body: DefineProgramBody) {
    return view(await this.defineProgram.execute(siteId, body));
  }

  @Get('sites/:siteId/programs')
  @Access({ roles: SCHEDULE_READERS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "The site's programs" })
  @Returns(ProgramList, { status: 200, description: 'The programs' })
  list(@UuidParam('siteId') siteId: string) {
    return this.uow.run(async ({ manager }) => {
      await siteOrNotFound(manager, siteId);
      return (await programRepository.list(manager, siteId)).map(view);
    });
  }

  @Get('programs/:programId')
  @Access({ roles: SCHEDULE_READERS })
  @ApiUuidParam('programId', 'The program id')
  @ApiOperation({ summary: 'One program' })
  @Returns(ProgramView, { status: 200, description: 'The program' })
  get(@UuidParam('programId') programId: string) {
    return this.uow.run(async ({ manager }) => view(await programOrNotFound(manager, programId)));
  }

  @Patch('programs/:programId')
  @Access({ roles: SITE_ADMINS })
  @ApiUuidParam('programId', 'The program id')
  @ApiOperation({ summary: "Change a program's name, weekly range, per-diem minimum or default length (existing tracks are not re-checked)" })
  @ApiBodyFrom(ChangeProgramBody)
  @Returns(ProgramView, { status: 200, description: 'The program as changed' })
  async change(@UuidParam('programId') programId: string, @ValidBody(ChangeProgramBody) body: ChangeProgramBody) {
    return view(await this.changeProgram.execute(programId, body));
  }
}
