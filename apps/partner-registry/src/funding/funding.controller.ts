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
import type { Funding, FundingPage } from '@sp/types';
import type { FastifyReply } from 'fastify';
import {
  FundingCreateDto,
  FundingDto,
  FundingIdParamsDto,
  FundingListQueryDto,
  FundingPageDto,
  FundingUpdateDto,
} from './funding.dto';
import { FundingService } from './funding.service';

@ApiTags('funding')
@Controller('funding')
export class FundingController {
  constructor(private readonly funding: FundingService) {}

  /** External funding newest first, filtered by partner, activity, fiscal year, status. A partner sees its own. */
  @Get()
  @Roles('viewer')
  @Scopes('registry:read')
  @Responds(200, FundingPageDto, 401, 403)
  list(@Query() query: FundingListQueryDto): Promise<FundingPage> {
    return this.funding.list(query);
  }

  @Get(':id')
  @Roles('viewer')
  @Scopes('registry:read')
  @Responds(200, FundingDto, 401, 403, 404)
  async get(
    @Param() { id }: FundingIdParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Funding> {
    const funding = await this.funding.get(id);
    sendETag(reply, funding.version);
    return funding;
  }

  /** Records funding; the amount is a decimal string within the currency's minor units. */
  @Post()
  @Roles('staff')
  @Responds(201, FundingDto, 401, 403)
  async create(
    @Body() body: FundingCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Funding> {
    const funding = await this.funding.create(body);
    void reply.header('location', `/funding/${funding.id}`);
    sendETag(reply, funding.version);
    return funding;
  }

  @Patch(':id')
  @Roles('staff')
  @Preconditioned()
  @Responds(200, FundingDto, 401, 403, 404)
  async update(
    @Param() { id }: FundingIdParamsDto,
    @Body() body: FundingUpdateDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Funding> {
    const funding = await this.funding.update(id, body, expected);
    sendETag(reply, funding.version);
    return funding;
  }
}
