import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  type ExpectedVersion,
  IfMatch,
  Preconditioned,
  Public,
  Responds,
  Roles,
  sendETag,
} from '@sp/platform';
import type { Programme, ProgrammeDraft, SessionRecord } from '@sp/types';
import type { FastifyReply } from 'fastify';
import { readerLocalizer, sendContentLanguage } from '../common/content-language';
import { SymposiumIdParamsDto, SymposiumReadQueryDto } from '../symposiums/symposiums.dto';
import {
  ProgrammeDraftDto,
  ProgrammeDto,
  SessionCreateDto,
  SessionParamsDto,
  SessionRecordDto,
  SessionUpdateDto,
} from './programme.dto';
import { ProgrammeService } from './programme.service';

/** The domain in the programme's iCalendar event UIDs (stable across publishes). */
const calendarHost = 'symposium.strategic-partnerships.u-tokyo.ac.jp';

@ApiTags('programme')
@Controller('symposiums/:id')
export class ProgrammeController {
  constructor(private readonly programme: ProgrammeService) {}

  /** The published programme in the reader's language (404 until one is published). */
  @Get('programme')
  @Public()
  @Responds(200, ProgrammeDto, 404)
  async published(
    @Param() { id }: SymposiumIdParamsDto,
    @Query() query: SymposiumReadQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Programme> {
    const l = readerLocalizer(acceptLanguage, query.lang);
    const programme = await this.programme.published(id, l);
    sendContentLanguage(reply, l);
    return programme;
  }

  /** The published programme as iCalendar (`text/calendar`), times in the symposium's zone. */
  @Get('programme.ics')
  @Public()
  @ApiProduces('text/calendar')
  @ApiResponse({ status: 200, description: 'iCalendar file', schema: { type: 'string' } })
  @ApiResponse({ status: 404, description: 'application/problem+json' })
  async calendar(
    @Param() { id }: SymposiumIdParamsDto,
    @Query() query: SymposiumReadQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const l = readerLocalizer(acceptLanguage, query.lang);
    const ics = await this.programme.calendar(id, l, calendarHost);
    sendContentLanguage(reply, l);
    void reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', `attachment; filename="programme-${id}.ics"`);
    return ics;
  }

  /** The programme being edited (both languages, each session's version) and when it was published. */
  @Get('programme/draft')
  @Roles('viewer')
  @Responds(200, ProgrammeDraftDto, 401, 403, 404)
  draft(@Param() { id }: SymposiumIdParamsDto): Promise<ProgrammeDraft> {
    return this.programme.draft(id);
  }

  /** Publishes the draft as it is now; later edits stay in the draft until published again. */
  @Post('programme/publish')
  @Roles('staff')
  @Responds(200, ProgrammeDraftDto, 401, 403, 404)
  publish(@Param() { id }: SymposiumIdParamsDto): Promise<ProgrammeDraft> {
    return this.programme.publish(id);
  }

  /** A session of the draft programme. Overlapping another session in its room is a 409. */
  @Post('sessions')
  @Roles('staff')
  @Responds(201, SessionRecordDto, 401, 403, 404, 409)
  async createSession(
    @Param() { id }: SymposiumIdParamsDto,
    @Body() body: SessionCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionRecord> {
    const session = await this.programme.createSession(id, body);
    sendETag(reply, session.version);
    return session;
  }

  /** Changes the given fields (`people` replaces the list). Needs `If-Match`. */
  @Patch('sessions/:sessionId')
  @Roles('staff')
  @Preconditioned()
  @Responds(200, SessionRecordDto, 401, 403, 404, 409)
  async updateSession(
    @Param() { id, sessionId }: SessionParamsDto,
    @Body() body: SessionUpdateDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionRecord> {
    const session = await this.programme.updateSession(id, sessionId, body, expected);
    sendETag(reply, session.version);
    return session;
  }

  @Delete('sessions/:sessionId')
  @Roles('staff')
  @Preconditioned()
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'Deleted' })
  async removeSession(
    @Param() { id, sessionId }: SessionParamsDto,
    @IfMatch() expected: ExpectedVersion,
  ): Promise<void> {
    await this.programme.removeSession(id, sessionId, expected);
  }
}
