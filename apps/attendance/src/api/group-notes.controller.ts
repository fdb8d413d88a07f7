import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, ReturnsNothing, UuidParam, ValidBody } from '@iop/platform';
import { GroupDocumentation } from '../application/group-documentation';
import {
  AddendumBody,
  AddendumCreatedView,
  GroupNoteBody,
  GroupNoteView,
  InterventionsView,
  groupNoteInterventions,
  ProgressNoteBody,
  ProgressNoteView,
  UndocumentedSessionsView,
} from './group-notes.schemas';
import { CO_SIGNERS, DOCUMENTATION_QUEUE, NOTE_READERS, NOTE_WRITERS } from './roles';

/**
 * Group documentation: the group note, each attendee's progress note, signatures, the lock and addenda. Notes are
 * PHI: every read and write is audited, and a session at another site is a 404.
 */
@ApiTags('group documentation')
@ApiBearerAuth()
@Controller()
export class GroupNotesController {
  constructor(private readonly documentation: GroupDocumentation) {}

  @Get('group-note-interventions')
  @Access({ roles: NOTE_WRITERS })
  @ApiOperation({ summary: 'The interventions a group note may name in this network (configuration, not PHI: not audited)' })
  @Returns(InterventionsView, { status: 200, description: 'The intervention codes' })
  interventions() {
    return groupNoteInterventions();
  }

  @Put('sessions/:sessionId/group-note')
  @Access({ roles: NOTE_WRITERS })
  @ApiUuidParam('sessionId', 'The group session id')
  @ApiOperation({ summary: "Write the session's group note (topic, interventions, summary); a draft may be rewritten, signed documentation is a 409" })
  @ApiBodyFrom(GroupNoteBody)
  @Returns(GroupNoteView, { status: 200, description: 'The group note with its attendees (audited)' })
  writeGroupNote(@UuidParam('sessionId') sessionId: string, @ValidBody(GroupNoteBody) body: GroupNoteBody) {
    return this.documentation.writeGroupNote(sessionId, body);
  }

  @Get('sessions/:sessionId/group-note')
  @Access({ roles: NOTE_READERS })
  @ApiUuidParam('sessionId', 'The group session id')
  @ApiOperation({ summary: 'The group note, its signatures, addenda and attendees with their progress notes (audited: one row per attendee)' })
  @Returns(GroupNoteView, { status: 200, description: 'The group note' })
  groupNote(@UuidParam('sessionId') sessionId: string) {
    return this.documentation.groupNote(sessionId);
  }

  @Post('sessions/:sessionId/group-note/sign')
  @HttpCode(200)
  @Access({ roles: NOTE_WRITERS })
  @ApiUuidParam('sessionId', 'The group session id')
  @ApiOperation({
    summary:
      "Sign the session's documentation (the group note and every attendee's progress note); a writer without clinical_supervisor needs a co-signature. 422 while an attendee has no progress note",
  })
  @Returns(GroupNoteView, { status: 200, description: 'The signed documentation' })
  sign(@UuidParam('sessionId') sessionId: string) {
    return this.documentation.sign(sessionId);
  }

  @Post('sessions/:sessionId/group-note/co-sign')
  @HttpCode(200)
  @Access({ roles: CO_SIGNERS })
  @ApiUuidParam('sessionId', 'The group session id')
  @ApiOperation({ summary: 'A clinical supervisor co-signs documentation whose writer needs it (never their own)' })
  @Returns(GroupNoteView, { status: 200, description: 'The co-signed documentation' })
  coSign(@UuidParam('sessionId') sessionId: string) {
    return this.documentation.coSign(sessionId);
  }

  @Post('sessions/:sessionId/group-note/lock')
  @HttpCode(200)
  @Access({ roles: NOTE_WRITERS })
  @ApiUuidParam('sessionId', 'The group session id')
  @ApiOperation({
    summary: 'Lock signed (and co-signed, when needed) documentation: only addenda add to it from now on; publishes attendance.group-session-documented',
  })
  @Returns(GroupNoteView, { status: 200, description: 'The locked documentation' })
  lock(@UuidParam('sessionId') sessionId: string) {
    return this.documentation.lock(sessionId);
  }

  @Post('sessions/:sessionId/group-note/addenda')
  @HttpCode(201)
  @Access({ roles: NOTE_WRITERS })
  @ApiUuidParam('sessionId', 'The group session id')
  @ApiOperation({ summary: "Add an addendum to signed documentation: to the group note or to one patient's progress note (append-only, with author and time)" })
  @ApiBodyFrom(AddendumBody)
  @Returns(AddendumCreatedView, { status: 201, description: 'The addendum' })
  addAddendum(@UuidParam('sessionId') sessionId: string, @ValidBody(AddendumBody) body: AddendumBody) {
    return this.documentation.addAddendum(sessionId, body);
  }

  @Get('sessions/:sessionId/progress-notes/:patientId')
  @Access({ roles: NOTE_READERS })
  @ApiUuidParam('sessionId', 'The group session id')
  @ApiUuidParam('patientId', 'The patient id')
  @ApiOperation({ summary: "An attendee's progress note: saved, or pre-filled from the group note until written (audited)" })
  @Returns(ProgressNoteView, { status: 200, description: 'The progress note' })
  progressNote(@UuidParam('sessionId') sessionId: string, @UuidParam('patientId') patientId: string) {
    return this.documentation.progressNote(sessionId, patientId);
  }

  @Put('sessions/:sessionId/progress-notes/:patientId')
  @Access({ roles: NOTE_WRITERS })
  @ApiUuidParam('sessionId', 'The group session id')
  @ApiUuidParam('patientId', 'The patient id')
  @ApiOperation({
    summary:
      "Write an attendee's individual section (participation, response, plan goals addressed with progress, next steps); 422 for a patient who did not attend",
  })
  @ApiBodyFrom(ProgressNoteBody)
  @Returns(ProgressNoteView, { status: 200, description: 'The progress note' })
  writeProgressNote(@UuidParam('sessionId') sessionId: string, @UuidParam('patientId') patientId: string, @ValidBody(ProgressNoteBody) body: ProgressNoteBody) {
    return this.documentation.writeProgressNote(sessionId, patientId, body);
  }

  @Delete('sessions/:sessionId/progress-notes/:patientId')
  @HttpCode(204)
  @Access({ roles: NOTE_WRITERS })
  @ApiUuidParam('sessionId', 'The group session id')
  @ApiUuidParam('patientId', 'The patient id')
  @ApiOperation({ summary: 'Remove a draft progress note (its patient turned out not to attend); signed documentation is a 409' })
  @ReturnsNothing('The draft progress note is removed')
  async deleteProgressNote(@UuidParam('sessionId') sessionId: string, @UuidParam('patientId') patientId: string): Promise<void> {
    await this.documentation.deleteProgressNote(sessionId, patientId);
  }

  @Get('sites/:siteId/undocumented-sessions')
  @Access({ roles: DOCUMENTATION_QUEUE, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "The site's work queue: group sessions with attendees not documented (locked) 24 hours after they ended, oldest first" })
  @Returns(UndocumentedSessionsView, { status: 200, description: 'Open items' })
  undocumented(@UuidParam('siteId') siteId: string) {
    return this.documentation.undocumented(siteId);
  }
}
