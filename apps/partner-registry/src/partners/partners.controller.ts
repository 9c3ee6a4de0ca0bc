import { Body, Controller, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  type ExpectedVersion,
  IfMatch,
  Preconditioned,
  Responds,
  Roles,
  Scopes,
  sendETag,
} from '@sp/platform';
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
  async get(
    @Param() { id }: PartnerIdParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PartnerDetail> {
    const partner = await this.partners.get(id);
    sendETag(reply, partner.version);
    return partner;
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
    sendETag(reply, partner.version);
    return partner;
  }

  /**
   * Changes the given fields; a status change is dated and kept in the history. Needs
   * `If-Match` with the ETag read (428 without, 412 when someone else changed it since).
   */
  @Patch(':id')
  @Roles('staff')
  @Preconditioned()
  @Responds(200, PartnerDetailDto, 401, 403, 404, 409)
  async update(
    @Param() { id }: PartnerIdParamsDto,
    @Body() body: PartnerUpdateDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PartnerDetail> {
    const partner = await this.partners.update(id, body, expected);
    sendETag(reply, partner.version);
    return partner;
  }
}
