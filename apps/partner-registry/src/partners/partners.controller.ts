import { Body, Controller, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Responds, Roles, Scopes } from '@sp/platform';
import type { PartnerDetail, PartnerPage } from '@sp/types';
import type { FastifyReply } from 'fastify';
import {
  PartnerCreateDto,
  PartnerDetailDto,
  PartnerIdParamsDto,
  PartnerListQueryDto,
  PartnerPageDto,
  PartnerUpdateDto,
} from './partners.dto';
import { PartnersService } from './partners.service';

@ApiTags('partners')
@Controller('partners')
export class PartnersController {
  constructor(private readonly partners: PartnersService) {}

  /** Partners in keyset pages, filtered by status and country. A partner client sees only itself. */
  @Get()
  @Roles('viewer')
  @Scopes('registry:read')
  @Responds(200, PartnerPageDto, 401, 403)
  list(@Query() query: PartnerListQueryDto): Promise<PartnerPage> {
    return this.partners.list(query);
  }

  /** One partner with its agreements and dated status history. */
  @Get(':id')
  @Roles('viewer')
  @Scopes('registry:read')
  @Responds(200, PartnerDetailDto, 401, 403, 404)
  get(@Param() { id }: PartnerIdParamsDto): Promise<PartnerDetail> {
    return this.partners.get(id);
  }

  @Post()
  @Roles('staff')
  @Responds(201, PartnerDetailDto, 401, 403, 409)
  async create(
    @Body() body: PartnerCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PartnerDetail> {
    const partner = await this.partners.create(body);
    void reply.header('location', `/partners/${partner.id}`);
    return partner;
  }

  /** Changes the given fields; a status change is dated and kept in the history. */
  @Patch(':id')
  @Roles('staff')
  @Responds(200, PartnerDetailDto, 401, 403, 404, 409)
  update(
    @Param() { id }: PartnerIdParamsDto,
    @Body() body: PartnerUpdateDto,
  ): Promise<PartnerDetail> {
    return this.partners.update(id, body);
  }
}
