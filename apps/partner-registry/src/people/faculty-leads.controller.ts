import { Body, Controller, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  type ExpectedVersion,
  IfMatch,
  Preconditioned,
  Responds,
  Roles,
  sendETag,
} from '@sp/platform';
import type { FacultyLead, FacultyLeadPage } from '@sp/types';
import type { FastifyReply } from 'fastify';
import {
  FacultyLeadCreateDto,
  FacultyLeadDto,
  FacultyLeadIdParamsDto,
  FacultyLeadListQueryDto,
  FacultyLeadPageDto,
  FacultyLeadUpdateDto,
} from './faculty-leads.dto';
import { FacultyLeadsService } from './faculty-leads.service';

/** UTokyo faculty leads: staff only (personal data of UTokyo staff; no partner scope reaches it). */
@ApiTags('people')
@Controller('faculty-leads')
export class FacultyLeadsController {
  constructor(private readonly leads: FacultyLeadsService) {}

  /** Faculty leads by English name, filtered by partner (`partnerId`) or department. */
  @Get()
  @Roles('viewer')
  @Responds(200, FacultyLeadPageDto, 401, 403)
  list(@Query() query: FacultyLeadListQueryDto): Promise<FacultyLeadPage> {
    return this.leads.list(query);
  }

  @Post()
  @Roles('staff')
  @Responds(201, FacultyLeadDto, 401, 403, 409)
  async create(
    @Body() body: FacultyLeadCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FacultyLead> {
    const lead = await this.leads.create(body);
    void reply.header('location', `/faculty-leads/${lead.id}`);
    sendETag(reply, lead.version);
    return lead;
  }

  @Get(':id')
  @Roles('viewer')
  @Responds(200, FacultyLeadDto, 401, 403, 404)
  async get(
    @Param() { id }: FacultyLeadIdParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FacultyLead> {
    const lead = await this.leads.get(id);
    sendETag(reply, lead.version);
    return lead;
  }

  /**
   * Changes the given fields; `partnerIds` replaces the partners the lead leads with (`[]`
   * unlinks all). Needs `If-Match` with the ETag read (428 without, 412 when stale).
   */
  @Patch(':id')
  @Roles('staff')
  @Preconditioned()
  @Responds(200, FacultyLeadDto, 401, 403, 404, 409)
  async update(
    @Param() { id }: FacultyLeadIdParamsDto,
    @Body() body: FacultyLeadUpdateDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FacultyLead> {
    const lead = await this.leads.update(id, body, expected);
    sendETag(reply, lead.version);
    return lead;
  }
}
