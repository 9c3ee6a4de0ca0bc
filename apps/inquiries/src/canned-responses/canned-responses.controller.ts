import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  type ExpectedVersion,
  IfMatch,
  Preconditioned,
  ProblemDto,
  Responds,
  Roles,
  sendETag,
} from '@sp/platform';
import type { CannedResponse, CannedResponseList } from '@sp/types';
import type { FastifyReply } from 'fastify';
import {
  CannedResponseCreateDto,
  CannedResponseDto,
  CannedResponseIdParamsDto,
  CannedResponseListDto,
  CannedResponseUpdateDto,
} from './canned-responses.dto';
import { CannedResponsesService } from './canned-responses.service';

/** The desk's reusable answers, in English and Japanese (staff write, viewers read). */
@ApiTags('canned-responses')
@Controller('canned-responses')
export class CannedResponsesController {
  constructor(private readonly canned: CannedResponsesService) {}

  @Get()
  @Roles('viewer')
  @Responds(200, CannedResponseListDto, 401, 403)
  list(): Promise<CannedResponseList> {
    return this.canned.list();
  }

  @Get(':id')
  @Roles('viewer')
  @Responds(200, CannedResponseDto, 401, 403, 404)
  async get(
    @Param() { id }: CannedResponseIdParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CannedResponse> {
    const canned = await this.canned.get(id);
    sendETag(reply, canned.version);
    return canned;
  }

  /** A title is unique (whatever its case): a taken one is 409 naming `title`. */
  @Post()
  @Roles('staff')
  @Responds(201, CannedResponseDto, 401, 403, 409)
  async create(
    @Body() body: CannedResponseCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CannedResponse> {
    const canned = await this.canned.create(body);
    void reply.header('location', `/canned-responses/${canned.id}`);
    sendETag(reply, canned.version);
    return canned;
  }

  @Patch(':id')
  @Roles('staff')
  @Preconditioned()
  @Responds(200, CannedResponseDto, 401, 403, 404, 409)
  async update(
    @Param() { id }: CannedResponseIdParamsDto,
    @Body() body: CannedResponseUpdateDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CannedResponse> {
    const canned = await this.canned.update(id, body, expected);
    sendETag(reply, canned.version);
    return canned;
  }

  /** Replies already sent keep their text; the response itself is gone. */
  @Delete(':id')
  @Roles('staff')
  @Preconditioned()
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiResponse({ status: 404, type: ProblemDto, description: 'application/problem+json' })
  async remove(
    @Param() { id }: CannedResponseIdParamsDto,
    @IfMatch() expected: ExpectedVersion,
  ): Promise<void> {
    await this.canned.remove(id, expected);
  }
}
