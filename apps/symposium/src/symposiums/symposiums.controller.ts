import {
  Body,
  Controller,
  Get,
  Headers,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  type ExpectedVersion,
  IfMatch,
  Preconditioned,
  Public,
  Responds,
  Roles,
  sendETag,
} from '@sp/platform';
import type { Archive, Symposium, SymposiumList, SymposiumRecord } from '@sp/types';
import type { FastifyReply } from 'fastify';
import { readerLocalizer, sendContentLanguage } from '../common/content-language';
import {
  ArchiveDto,
  SymposiumCreateDto,
  SymposiumDto,
  SymposiumIdParamsDto,
  SymposiumListDto,
  SymposiumListQueryDto,
  SymposiumReadQueryDto,
  SymposiumRecordDto,
  SymposiumStatusChangeDto,
  SymposiumUpdateDto,
} from './symposiums.dto';
import { SymposiumsService } from './symposiums.service';

@ApiTags('symposiums')
@Controller('symposiums')
export class SymposiumsController {
  constructor(private readonly symposiums: SymposiumsService) {}

  /**
   * Symposiums in date order (`order=desc` for newest first), texts in the reader's language
   * (`?lang=` or `Accept-Language`; a text only in the other language is marked `fallback`).
   * The public and partners see announced ones on, with published documents; staff see all.
   */
  @Get()
  @Public()
  @Responds(200, SymposiumListDto)
  async list(
    @Query() query: SymposiumListQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SymposiumList> {
    const l = readerLocalizer(acceptLanguage, query.lang);
    const list = await this.symposiums.list(query, l);
    sendContentLanguage(reply, l);
    return list;
  }

  /**
   * The public archive, as the programme's page lists it: symposiums held (or with their
   * report published), newest first, with their published documents.
   */
  @Get('archive')
  @Public()
  @Responds(200, ArchiveDto)
  async archive(
    @Query() query: SymposiumReadQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Archive> {
    const l = readerLocalizer(acceptLanguage, query.lang);
    const archive = await this.symposiums.archive(l);
    sendContentLanguage(reply, l);
    return archive;
  }

  /** One symposium in the reader's language (a planned one is found by staff only). */
  @Get(':id')
  @Public()
  @Responds(200, SymposiumDto, 404)
  async get(
    @Param() { id }: SymposiumIdParamsDto,
    @Query() query: SymposiumReadQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Symposium> {
    const l = readerLocalizer(acceptLanguage, query.lang);
    const symposium = await this.symposiums.get(id, l);
    sendContentLanguage(reply, l);
    return symposium;
  }

  /** The symposium as stored, both languages of every text, with its ETag for editing. */
  @Get(':id/record')
  @Roles('viewer')
  @Responds(200, SymposiumRecordDto, 401, 403, 404)
  async record(
    @Param() { id }: SymposiumIdParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SymposiumRecord> {
    const record = await this.symposiums.record(id);
    sendETag(reply, record.version);
    return record;
  }

  /** A new symposium, `planned`. Edition and day are unique (409). */
  @Post()
  @Roles('staff')
  @Responds(201, SymposiumRecordDto, 401, 403, 409)
  async create(
    @Body() body: SymposiumCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SymposiumRecord> {
    const record = await this.symposiums.create(body);
    void reply.header('location', `/symposiums/${record.id}`);
    sendETag(reply, record.version);
    return record;
  }

  /**
   * Changes the given fields; in a bilingual text the languages given replace the stored ones.
   * Needs `If-Match` with the ETag read.
   */
  @Patch(':id')
  @Roles('staff')
  @Preconditioned()
  @Responds(200, SymposiumRecordDto, 401, 403, 404, 409)
  async update(
    @Param() { id }: SymposiumIdParamsDto,
    @Body() body: SymposiumUpdateDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SymposiumRecord> {
    const record = await this.symposiums.update(id, body, expected);
    sendETag(reply, record.version);
    return record;
  }

  /**
   * Moves the symposium one step: planned → announced → registration-open ⇄ registration-closed
   * → held → report-published. Any other move is a 409 naming the allowed next statuses.
   */
  @Put(':id/status')
  @Roles('staff')
  @Preconditioned()
  @Responds(200, SymposiumRecordDto, 401, 403, 404, 409)
  async changeStatus(
    @Param() { id }: SymposiumIdParamsDto,
    @Body() body: SymposiumStatusChangeDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SymposiumRecord> {
    const record = await this.symposiums.changeStatus(id, body.status, expected);
    sendETag(reply, record.version);
    return record;
  }
}
