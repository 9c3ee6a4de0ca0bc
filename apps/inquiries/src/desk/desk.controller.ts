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
   */
  @Post(':id/messages')
  @Roles('staff')
  @Responds(201, InquiryDetailDto, 401, 403, 404, 409)
  async addMessage(
    @Param() { id }: InquiryIdParamsDto,
    @Body() body: DeskMessageCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InquiryDetail> {
    const inquiry = await this.desk.addMessage(id, body);
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
