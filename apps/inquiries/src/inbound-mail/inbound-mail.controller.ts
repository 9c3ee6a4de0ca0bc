import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  type ExpectedVersion,
  IfMatch,
  Preconditioned,
  Responds,
  Roles,
  sendETag,
} from '@sp/platform';
import type { InboundList, InboundMessage } from '@sp/types';
import type { FastifyReply } from 'fastify';
import {
  InboundAssignDto,
  InboundIdParamsDto,
  InboundListDto,
  InboundMessageDto,
  InboundQueryDto,
} from './inbound-mail.dto';
import { InboundMailService } from './inbound-mail.service';

@ApiTags('inbound mail')
@Controller('inquiries/inbound')
export class InboundMailController {
  constructor(private readonly inbound: InboundMailService) {}

  /** The review list: mails that matched no inquiry, oldest first (by state, default pending). */
  @Get()
  @Roles('viewer')
  @Responds(200, InboundListDto, 401, 403)
  list(@Query() query: InboundQueryDto): Promise<InboundList> {
    return this.inbound.list(query);
  }

  @Get(':id')
  @Roles('viewer')
  @Responds(200, InboundMessageDto, 401, 403, 404)
  async get(
    @Param() { id }: InboundIdParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InboundMessage> {
    const message = await this.inbound.get(id);
    sendETag(reply, message.version);
    return message;
  }

  /**
   * Files a waiting mail into an inquiry as the inquirer's message (with its attachments); a
   * resolved inquiry reopens. Needs `If-Match` (428 without, 412 when stale); 409 once filed.
   */
  @Post(':id/assign')
  @Roles('staff')
  @Preconditioned()
  @Responds(200, InboundMessageDto, 401, 403, 404, 409)
  async assign(
    @Param() { id }: InboundIdParamsDto,
    @Body() body: InboundAssignDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InboundMessage> {
    const message = await this.inbound.assign(id, body.inquiryId, expected);
    sendETag(reply, message.version);
    return message;
  }

  /** Sets a waiting mail aside as for no inquiry (kept, listed under `state=discarded`). */
  @Post(':id/discard')
  @Roles('staff')
  @Preconditioned()
  @Responds(200, InboundMessageDto, 401, 403, 404, 409)
  async discard(
    @Param() { id }: InboundIdParamsDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InboundMessage> {
    const message = await this.inbound.discard(id, expected);
    sendETag(reply, message.version);
    return message;
  }
}
