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
import type { Agreement, AgreementList } from '@sp/types';
import type { FastifyReply } from 'fastify';
import {
  AgreementCreateDto,
  AgreementDetailDto,
  AgreementIdParamsDto,
  AgreementListDto,
  AgreementListQueryDto,
  AgreementRenewalCreateDto,
  AgreementSearchQueryDto,
  AgreementUpdateDto,
} from './agreements.dto';
import { AgreementsService } from './agreements.service';

@ApiTags('agreements')
@Controller()
export class AgreementsController {
  constructor(private readonly agreements: AgreementsService) {}

  /**
   * A partner's agreements, the earliest signed first, each with its status today (Tokyo)
   * and its renewals; filtered by status and kind. A partner client sees only its own.
   */
  @Get('partners/:id/agreements')
  @Roles('viewer')
  @Scopes('registry:read')
  @Responds(200, AgreementListDto, 401, 403, 404)
  list(
    @Param() { id }: AgreementIdParamsDto,
    @Query() query: AgreementListQueryDto,
  ): Promise<AgreementList> {
    return this.agreements.list(id, query);
  }

  /** Records an agreement signed with the partner. */
  @Post('partners/:id/agreements')
  @Roles('staff')
  @Responds(201, AgreementDetailDto, 401, 403, 404, 409)
  async create(
    @Param() { id }: AgreementIdParamsDto,
    @Body() body: AgreementCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Agreement> {
    const agreement = await this.agreements.create(id, body);
    void reply.header('location', `/agreements/${agreement.id}`);
    sendETag(reply, agreement.version);
    return agreement;
  }

  /**
   * Agreements across partners, soonest expiry first (open-ended last), filtered by status
   * (`?status=expiring`: what needs renewing), kind and partner. A partner client sees its own.
   */
  @Get('agreements')
  @Roles('viewer')
  @Scopes('registry:read')
  @Responds(200, AgreementListDto, 401, 403)
  search(@Query() query: AgreementSearchQueryDto): Promise<AgreementList> {
    return this.agreements.search(query);
  }

  /** One agreement with its status and renewals. */
  @Get('agreements/:id')
  @Roles('viewer')
  @Scopes('registry:read')
  @Responds(200, AgreementDetailDto, 401, 403, 404)
  async get(
    @Param() { id }: AgreementIdParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Agreement> {
    const agreement = await this.agreements.get(id);
    sendETag(reply, agreement.version);
    return agreement;
  }

  /**
   * Corrects the given fields. Needs `If-Match` with the ETag read (428 without, 412 when
   * someone else changed it since). A new term is a renewal.
   */
  @Patch('agreements/:id')
  @Roles('staff')
  @Preconditioned()
  @Responds(200, AgreementDetailDto, 401, 403, 404, 409)
  async update(
    @Param() { id }: AgreementIdParamsDto,
    @Body() body: AgreementUpdateDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Agreement> {
    const agreement = await this.agreements.update(id, body, expected);
    sendETag(reply, agreement.version);
    return agreement;
  }

  /**
   * Renews the agreement to a new expiry (or open-ended), keeping the old one in its renewal
   * history; reminders start again for the new expiry. Needs `If-Match` like an update.
   */
  @Post('agreements/:id/renewals')
  @Roles('staff')
  @Preconditioned()
  @Responds(201, AgreementDetailDto, 401, 403, 404)
  async renew(
    @Param() { id }: AgreementIdParamsDto,
    @Body() body: AgreementRenewalCreateDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Agreement> {
    const agreement = await this.agreements.renew(id, body, expected);
    void reply.header('location', `/agreements/${agreement.id}`);
    sendETag(reply, agreement.version);
    return agreement;
  }
}
