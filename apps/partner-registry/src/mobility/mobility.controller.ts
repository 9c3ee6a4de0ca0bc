import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
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
import type { MobilityPage, MobilityRecord, MobilityTotals } from '@sp/types';
import type { FastifyReply } from 'fastify';
import { ReviewApproveDto, ReviewReturnDto } from '../activities/activities.dto';
import {
  MobilityCreateDto,
  MobilityIdParamsDto,
  MobilityListQueryDto,
  MobilityPageDto,
  MobilityRecordDto,
  MobilityTotalsDto,
  MobilityTotalsQueryDto,
  MobilityUpdateDto,
} from './mobility.dto';
import { MobilityService } from './mobility.service';

@ApiTags('mobility')
@Controller('mobility')
export class MobilityController {
  constructor(private readonly mobility: MobilityService) {}

  /** Mobility reports newest first, filtered by partner, fiscal year, direction, person type, review status. */
  @Get()
  @Roles('viewer')
  @Scopes('registry:read', 'mobility:write')
  @Responds(200, MobilityPageDto, 401, 403)
  list(@Query() query: MobilityListQueryDto): Promise<MobilityPage> {
    return this.mobility.list(query);
  }

  /**
   * Approved people per partner in a fiscal year (April–March; default the current one), by
   * direction and person type, with what still waits for review. A partner sees its own.
   */
  @Get('totals')
  @Roles('viewer')
  @Scopes('registry:read', 'mobility:write')
  @Responds(200, MobilityTotalsDto, 401, 403)
  totals(@Query() query: MobilityTotalsQueryDto): Promise<MobilityTotals> {
    return this.mobility.totals(query);
  }

  @Get(':id')
  @Roles('viewer')
  @Scopes('registry:read', 'mobility:write')
  @Responds(200, MobilityRecordDto, 401, 403, 404)
  async get(
    @Param() { id }: MobilityIdParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MobilityRecord> {
    const record = await this.mobility.get(id);
    sendETag(reply, record.version);
    return record;
  }

  /**
   * Staff record counts (approved as written; `partnerId` required); a partner's client with
   * `mobility:write` reports its own, submitted for review. One report per partner, fiscal
   * year, direction, person type and programme (409 for a second).
   */
  @Post()
  @Roles('staff')
  @Scopes('mobility:write')
  @Responds(201, MobilityRecordDto, 401, 403, 409)
  async create(
    @Body() body: MobilityCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MobilityRecord> {
    const record = await this.mobility.create(body);
    void reply.header('location', `/mobility/${record.id}`);
    sendETag(reply, record.version);
    return record;
  }

  /** Changes the given fields; a partner's change is submitted for review again. */
  @Patch(':id')
  @Roles('staff')
  @Scopes('mobility:write')
  @Preconditioned()
  @Responds(200, MobilityRecordDto, 401, 403, 404, 409)
  async update(
    @Param() { id }: MobilityIdParamsDto,
    @Body() body: MobilityUpdateDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MobilityRecord> {
    const record = await this.mobility.update(id, body, expected);
    sendETag(reply, record.version);
    return record;
  }

  /** Approves a submitted report: it counts in the totals from now. */
  @Post(':id/approve')
  @HttpCode(200)
  @Roles('staff')
  @Preconditioned()
  @Responds(200, MobilityRecordDto, 401, 403, 404, 409)
  async approve(
    @Param() { id }: MobilityIdParamsDto,
    @Body() body: ReviewApproveDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MobilityRecord> {
    const record = await this.mobility.review(id, { approve: body }, expected);
    sendETag(reply, record.version);
    return record;
  }

  /** Returns a submitted report to the partner with a comment saying what to correct. */
  @Post(':id/return')
  @HttpCode(200)
  @Roles('staff')
  @Preconditioned()
  @Responds(200, MobilityRecordDto, 401, 403, 404, 409)
  async return(
    @Param() { id }: MobilityIdParamsDto,
    @Body() body: ReviewReturnDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MobilityRecord> {
    const record = await this.mobility.review(id, { return: body }, expected);
    sendETag(reply, record.version);
    return record;
  }
}
