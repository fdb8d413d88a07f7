import { Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UnitOfWork, UuidParam, ValidBody } from '@iop/platform';
import { programRepository } from '../application/program-repository';
import { siteOrNotFound } from '../application/site-guard';
import { trackRepository, type Track } from '../application/track-repository';
import { ChangeTrack, DefineTrack, trackOrNotFound } from '../application/track.use-cases';
import { formatMinutes } from '../domain/program';
import { blockMinutes } from '../domain/track';
import type { EntityManager } from 'typeorm';
import { SCHEDULE_READERS, SITE_ADMINS } from './roles';
import { ChangeTrackBody, DefineTrackBody, TrackList, TrackView } from './track.schemas';

/** A track as the API shows it: its weekly hours, and whether one block reaches the program's per-diem minimum. */
async function views(manager: EntityManager, tracks: readonly Track[]) {
  if (tracks.length === 0) return [];
  const site = await siteOrNotFound(manager, tracks[0]!.siteId);
  const programs = new Map((await programRepository.list(manager, site.siteId)).map((p) => [p.programId, p]));
  return tracks.map((t) => {
    const minutes = blockMinutes(t.sessions);
    return {
      ...t,
      timeZone: site.timeZone,
      blockMinutes: minutes,
      weeklyHours: formatMinutes(t.weeklyMinutes),
      meetsPerDiemMinimum: minutes >= (programs.get(t.programId)?.perDiemMinimumMinutes ?? 0),
    };
  });
}

@ApiTags('tracks')
@ApiBearerAuth()
@Controller()
export class TracksController {
  constructor(
    private readonly defineTrack: DefineTrack,
    private readonly changeTrack: ChangeTrack,
    private readonly uow: UnitOfWork,
  ) {}

  @Post('sites/:siteId/tracks')
  @HttpCode(201)
  @Access({ roles: SITE_ADMINS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({
    summary:
      "Define a track: a recurring block of group sessions (RRULE in the site's zone). Refused when its weekly hours are outside the program's range, a leader may not lead the program, a room is too small, or a leader or room is busy (409); its sessions are put on the calendar for the horizon",
  })
  @ApiBodyFrom(DefineTrackBody)
  @Returns(TrackView, { status: 201, description: 'The track, with its weekly hours' })
  async define(@UuidParam('siteId') siteId: string, @ValidBody(DefineTrackBody) body: DefineTrackBody) {
    const track = await this.defineTrack.execute(siteId, body);
    return this.uow.run(async ({ manager }) => (await views(manager, [track]))[0]);
  }

  @Get('sites/:siteId/tracks')
  @Access({ roles: SCHEDULE_READERS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "The site's tracks, with their weekly hours" })
  @Returns(TrackList, { status: 200, description: 'The tracks' })
  list(@UuidParam('siteId') siteId: string) {
    return this.uow.run(async ({ manager }) => {
      await siteOrNotFound(manager, siteId);
      return views(manager, await trackRepository.list(manager, siteId));
    });
  }

  @Get('tracks/:trackId')
  @Access({ roles: SCHEDULE_READERS })
  @ApiUuidParam('trackId', 'The track id')
  @ApiOperation({ summary: 'One track, with its weekly minutes and hours' })
  @Returns(TrackView, { status: 200, description: 'The track' })
  get(@UuidParam('trackId') trackId: string) {
    return this.uow.run(async ({ manager }) => (await views(manager, [await trackOrNotFound(manager, trackId)]))[0]);
  }

  @Patch('tracks/:trackId')
  @Access({ roles: SITE_ADMINS })
  @ApiUuidParam('trackId', 'The track id')
  @ApiOperation({ summary: "Rename a track, change its end date, or change a session's leader, co-leader or room for the sessions not yet started" })
  @ApiBodyFrom(ChangeTrackBody)
  @Returns(TrackView, { status: 200, description: 'The track as changed' })
  async change(@UuidParam('trackId') trackId: string, @ValidBody(ChangeTrackBody) body: ChangeTrackBody) {
    const track = await this.changeTrack.execute(trackId, body);
    return this.uow.run(async ({ manager }) => (await views(manager, [track]))[0]);
  }
}
