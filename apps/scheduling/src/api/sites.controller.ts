import { Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, ROLES } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UnitOfWork, UuidParam, ValidBody, notFound } from '@iop/platform';
import { RegisterSite } from '../application/register-site.use-case';
import { UpdateSite } from '../application/update-site.use-case';
import { siteRepository } from '../application/site-repository';
import { RegisterSiteBody, SiteList, SiteView, UpdateSiteBody } from './site.schemas';

@ApiTags('sites')
@ApiBearerAuth()
@Controller('sites')
export class SitesController {
  constructor(
    private readonly registerSite: RegisterSite,
    private readonly updateSite: UpdateSite,
    private readonly uow: UnitOfWork,
  ) {}

  @Post()
  @HttpCode(201)
  @Access({ roles: ['network_admin'] })
  @ApiOperation({ summary: 'Register a clinic site (network admins)' })
  @ApiBodyFrom(RegisterSiteBody)
  @Returns(SiteView, { status: 201, description: 'The site as registered' })
  register(@ValidBody(RegisterSiteBody) body: RegisterSiteBody) {
    return this.registerSite.execute(body);
  }

  @Patch(':siteId')
  @Access({ roles: ['network_admin'] })
  @ApiOperation({ summary: "Change a site's name, address, time zone or capacity (network admins)" })
  @ApiUuidParam('siteId', 'The site id')
  @ApiBodyFrom(UpdateSiteBody)
  @Returns(SiteView, { status: 200, description: 'The site as changed (unchanged when nothing differed)' })
  update(@UuidParam('siteId') siteId: string, @ValidBody(UpdateSiteBody) body: UpdateSiteBody) {
    return this.updateSite.execute(siteId, body);
  }

  @Get()
  @Access({ roles: ROLES })
  @ApiOperation({ summary: 'Sites the caller may see' })
  @Returns(SiteList, { status: 200, description: 'The sites' })
  list() {
    return this.uow.run(({ manager }) => siteRepository.list(manager));
  }

  @Get(':siteId')
  @Access({ roles: ROLES, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: 'One site' })
  @Returns(SiteView, { status: 200, description: 'The site' })
  get(@UuidParam('siteId') siteId: string) {
    return this.uow.run(async ({ manager }) => {
      const site = await siteRepository.find(manager, siteId);
      if (!site) throw notFound('site.unknown', `there is no site ${siteId}`);
      return site;
    });
  }
}
