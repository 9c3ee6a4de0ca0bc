import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  type ExpectedVersion,
  IfMatch,
  Preconditioned,
  Responds,
  Roles,
  sendETag,
} from '@sp/platform';
import type { SymposiumDocumentRecord } from '@sp/types';
import type { FastifyReply } from 'fastify';
import { SymposiumIdParamsDto } from '../symposiums/symposiums.dto';
import {
  DocumentCreateDto,
  DocumentParamsDto,
  DocumentRecordDto,
  DocumentUpdateDto,
} from './documents.dto';
import { DocumentsService } from './documents.service';

@ApiTags('documents')
@Controller('symposiums/:id/documents')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  /**
   * A document of the symposium: a link (report, slides, video) or, left without `url`, a
   * draft waiting for its uploaded file. Published only with a link or a file.
   */
  @Post()
  @Roles('staff')
  @Responds(201, DocumentRecordDto, 401, 403, 404, 409)
  async create(
    @Param() { id }: SymposiumIdParamsDto,
    @Body() body: DocumentCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SymposiumDocumentRecord> {
    const record = await this.documents.create(id, body);
    sendETag(reply, record.version);
    return record;
  }

  /** Changes the given fields (publishing among them). Needs `If-Match`. */
  @Patch(':documentId')
  @Roles('staff')
  @Preconditioned()
  @Responds(200, DocumentRecordDto, 401, 403, 404, 409)
  async update(
    @Param() { id, documentId }: DocumentParamsDto,
    @Body() body: DocumentUpdateDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SymposiumDocumentRecord> {
    const record = await this.documents.update(id, documentId, body, expected);
    sendETag(reply, record.version);
    return record;
  }

  /** Removes the document (and its uploaded file). Needs `If-Match`. */
  @Delete(':documentId')
  @Roles('staff')
  @Preconditioned()
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'Deleted' })
  async remove(
    @Param() { id, documentId }: DocumentParamsDto,
    @IfMatch() expected: ExpectedVersion,
  ): Promise<void> {
    await this.documents.remove(id, documentId, expected);
  }
}
