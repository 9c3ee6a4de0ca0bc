import { Body, Controller, Get, Headers, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import {
  type ExpectedVersion,
  IfMatch,
  Preconditioned,
  Responds,
  Roles,
  sendETag,
} from '@sp/platform';
import type { InquiryDetail, InquiryPage } from '@sp/types';
import type { FastifyReply } from 'fastify';
import {
  DeskMessageCreateDto,
  InquiryDetailDto,
  InquiryIdParamsDto,
  InquiryListQueryDto,
  InquiryMergeDto,
  InquiryPageDto,
  InquiryUpdateDto,
} from './desk.dto';
import { checkIdempotencyKey } from '../common/idempotency-key';
import { DeskService } from './desk.service';

/** The desk: staff handle inquiries; viewers read them. Partners and the public never see it. */
@ApiTags('desk')
@Controller('inquiries')
export class DeskController {
  constructor(private readonly desk: DeskService) {}

  /**
   * Inquiries newest first, in keyset pages: by state, category, assignee (`none`: unassigned),
   * partner, symposium, overdue, and words in the subject, reference, inquirer or any message.
   */
  @Get()
  @Roles('viewer')
  @Responds(200, InquiryPageDto, 401, 403)
  list(@Query() query: InquiryListQueryDto): Promise<InquiryPage> {
    return this.desk.list(query);
  }

  /** The whole thread, internal notes included, with SLA figures and breaches. */
  @Get(':id')
  @Roles('viewer')
  @Responds(200, InquiryDetailDto, 401, 403, 404)
  async get(
    @Param() { id }: InquiryIdParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InquiryDetail> {
    const inquiry = await this.desk.get(id);
    sendETag(reply, inquiry.version);
    return inquiry;
  }

  /**
   * Assigns or reassigns, moves the state (409 naming the allowed next states), changes the
   * category (the due times follow), links a partner or symposium. Needs `If-Match`.
   */
  @Patch(':id')
  @Roles('staff')
  @Preconditioned()
  @Responds(200, InquiryDetailDto, 401, 403, 404, 409)
  async update(
    @Param() { id }: InquiryIdParamsDto,
    @Body() body: InquiryUpdateDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InquiryDetail> {
    const inquiry = await this.desk.update(id, body, expected);
    sendETag(reply, inquiry.version);
    return inquiry;
  }

  /**
   * A public reply (mailed to the inquirer in their language, threaded) or an internal note
   * (never mailed, never shown to the inquirer); the text may come from a canned response.
   * With an `Idempotency-Key`, the same request sent again (a retry after a timeout, a double
   * click) answers with the inquiry as it is, writing and mailing nothing more
   * (`Idempotent-Replayed: true`); the key with another message is a 409.
   */
  @Post(':id/messages')
  @Roles('staff')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'A key of your own for this message (a UUID, say), 1–200 visible ASCII characters: sent again with the same request, it adds nothing',
  })
  @Responds(201, InquiryDetailDto, 401, 403, 404, 409)
  async addMessage(
    @Param() { id }: InquiryIdParamsDto,
    @Body() body: DeskMessageCreateDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InquiryDetail> {
    checkIdempotencyKey(idempotencyKey, 1);
    const { inquiry, replayed } = await this.desk.addMessage(id, body, idempotencyKey);
    if (replayed) void reply.header('idempotent-replayed', 'true');
    sendETag(reply, inquiry.version);
    return inquiry;
  }

  /**
   * Merges this inquiry, a duplicate, into `into`: the threads are joined there, this one is
   * closed as merged and its inquirer told once. Needs `If-Match` (this inquiry's ETag).
   */
  @Post(':id/merge')
  @Roles('staff')
  @Preconditioned()
  @Responds(200, InquiryDetailDto, 401, 403, 404, 409)
  async merge(
    @Param() { id }: InquiryIdParamsDto,
    @Body() body: InquiryMergeDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InquiryDetail> {
    const inquiry = await this.desk.merge(id, body.into, expected);
    sendETag(reply, inquiry.version);
    return inquiry;
  }
}
