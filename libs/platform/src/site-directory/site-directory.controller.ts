import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, ROLES } from '@iop/auth';
import { SERVICE_NAME } from '../tokens';
import { UnitOfWork } from '../unit-of-work';
import { ApiUuidParam, Returns, UuidParam } from '../validation';
import { SiteDirectory } from './site-directory';
import { SiteDirectoryList, SiteDirectoryView } from './site-directory.schemas';

/** The sites this service knows, as the caller may see them. Read-only: sites are registered in scheduling. */
@ApiTags('site directory')
@ApiBearerAuth()
@Controller('site-directory')
export class SiteDirectoryController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly sites: SiteDirectory,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  @Get()
  @Access({ roles: ROLES })
  @ApiOperation({ summary: 'Sites known to this service that the caller may see' })
  @Returns(SiteDirectoryList, { status: 200, description: 'The sites, by name' })
  list() {
    return this.uow.run(({ manager }) => this.sites.list(manager));
  }

  @Get(':siteId')
  @Access({ roles: ROLES, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: 'One site as this service knows it' })
  @Returns(SiteDirectoryView, { status: 200, description: 'The site' })
  get(@UuidParam('siteId') siteId: string) {
    return this.uow.run(({ manager }) => this.sites.require(manager, siteId, this.service));
  }
}
