import { Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UnitOfWork, UuidParam, ValidBody } from '@iop/platform';
import { siteOrNotFound } from '../application/site-guard';
import { staffRepository } from '../application/staff-repository';
import { AddClinician, AddRoom, ChangeClinician, ChangeRoom } from '../application/staff.use-cases';
import { SCHEDULE_READERS, SITE_ADMINS } from './roles';
import { AddClinicianBody, AddRoomBody, ChangeClinicianBody, ChangeRoomBody, ClinicianList, ClinicianView, RoomList, RoomView } from './staff.schemas';

@ApiTags('clinicians and rooms')
@ApiBearerAuth()
@Controller()
export class StaffController {
  constructor(
    private readonly addClinician: AddClinician,
    private readonly changeClinician: ChangeClinician,
    private readonly addRoom: AddRoom,
    private readonly changeRoom: ChangeRoom,
    private readonly uow: UnitOfWork,
  ) {}

  @Post('sites/:siteId/clinicians')
  @HttpCode(201)
  @Access({ roles: SITE_ADMINS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: 'Add a clinician to the site: their token subject, roles and the programs they may lead' })
  @ApiBodyFrom(AddClinicianBody)
  @Returns(ClinicianView, { status: 201, description: 'The clinician as added' })
  add(@UuidParam('siteId') siteId: string, @ValidBody(AddClinicianBody) body: AddClinicianBody) {
    return this.addClinician.execute(siteId, body);
  }

  @Get('sites/:siteId/clinicians')
  @Access({ roles: SCHEDULE_READERS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "The site's clinicians" })
  @Returns(ClinicianList, { status: 200, description: 'The clinicians' })
  list(@UuidParam('siteId') siteId: string) {
    return this.uow.run(async ({ manager }) => {
      await siteOrNotFound(manager, siteId);
      return staffRepository.clinicians(manager, siteId);
    });
  }

  @Patch('clinicians/:clinicianId')
  @Access({ roles: SITE_ADMINS })
  @ApiUuidParam('clinicianId', 'The clinician id')
  @ApiOperation({ summary: "Change a clinician's name, roles, programs, or make them inactive" })
  @ApiBodyFrom(ChangeClinicianBody)
  @Returns(ClinicianView, { status: 200, description: 'The clinician as changed' })
  change(@UuidParam('clinicianId') clinicianId: string, @ValidBody(ChangeClinicianBody) body: ChangeClinicianBody) {
    return this.changeClinician.execute(clinicianId, body);
  }

  @Post('sites/:siteId/rooms')
  @HttpCode(201)
  @Access({ roles: SITE_ADMINS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: 'Add a room (or a virtual room for telehealth) to the site' })
  @ApiBodyFrom(AddRoomBody)
  @Returns(RoomView, { status: 201, description: 'The room as added' })
  addARoom(@UuidParam('siteId') siteId: string, @ValidBody(AddRoomBody) body: AddRoomBody) {
    return this.addRoom.execute(siteId, body);
  }

  @Get('sites/:siteId/rooms')
  @Access({ roles: SCHEDULE_READERS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "The site's rooms" })
  @Returns(RoomList, { status: 200, description: 'The rooms' })
  rooms(@UuidParam('siteId') siteId: string) {
    return this.uow.run(async ({ manager }) => {
      await siteOrNotFound(manager, siteId);
      return staffRepository.rooms(manager, siteId);
    });
  }

  @Patch('rooms/:roomId')
  @Access({ roles: SITE_ADMINS })
  @ApiUuidParam('roomId', 'The room id')
  @ApiOperation({ summary: "Change a room's name, capacity or kind, or make it inactive" })
  @ApiBodyFrom(ChangeRoomBody)
  @Returns(RoomView, { status: 200, description: 'The room as changed' })
  changeARoom(@UuidParam('roomId') roomId: string, @ValidBody(ChangeRoomBody) body: ChangeRoomBody) {
    return this.changeRoom.execute(roomId, body);
  }
}
