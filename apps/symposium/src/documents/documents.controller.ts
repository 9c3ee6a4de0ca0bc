import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  AppError,
  type ExpectedVersion,
  IfMatch,
  Preconditioned,
  Public,
  Responds,
  Roles,
  sendETag,
} from '@sp/platform';
import type { SymposiumDocumentRecord } from '@sp/types';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SymposiumIdParamsDto } from '../symposiums/symposiums.dto';
import {
  DocumentCreateDto,
  DocumentParamsDto,
  DocumentRecordDto,
  DocumentUpdateDto,
} from './documents.dto';
import { DocumentsService } from './documents.service';

/** The upload's problem when its body has no part named `file`. */
const missingFile = () =>
  new AppError('validation-error', 'invalid body: file', {
    errors: [
      {
        in: 'body',
        field: 'file',
        message: 'send the file as a part named "file"',
        code: 'required',
      },
    ],
  });

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

  /**
   * Uploads the document's file (`multipart/form-data`, one part named `file`), replacing its
   * link or earlier file. The type is checked by content against the allowed list (415), the
   * size against `DOCUMENT_MAX_BYTES` (413). Needs `If-Match`. Uploads are read one at a time
   * (`DOCUMENT_UPLOAD_CONCURRENCY`); with too many waiting, a 503 with `Retry-After`.
   */
  @Put(':documentId/file')
  @Roles('staff')
  @Preconditioned()
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @Responds(200, DocumentRecordDto, 401, 403, 404, 413, 415, 503)
  async upload(
    @Param() { id, documentId }: DocumentParamsDto,
    @IfMatch() expected: ExpectedVersion,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SymposiumDocumentRecord> {
    // Not a multipart body: refused before it takes a place (Fastify has read it whole already,
    // so its request reads as closed below).
    if (!request.isMultipart()) throw missingFile();
    // A client that goes away while its upload waits gives up its place; its body, unread, can
    // never be read (the multipart reader would wait for it for ever, holding the slot).
    const gone = new AbortController();
    const leave = () =>
      gone.abort(new AppError('bad-request', 'the connection closed before the upload was read'));
    request.raw.once('close', leave);
    try {
      const record = await this.documents.upload(async () => {
        if (request.raw.destroyed) leave();
        gone.signal.throwIfAborted();
        return this.documents.attachFile(id, documentId, await this.readFile(request), expected);
      }, gone.signal);
      sendETag(reply, record.version);
      return record;
    } finally {
      request.raw.off('close', leave);
    }
  }

  /**
   * The document's file, always as a download (`Content-Disposition: attachment`, nosniff, a
   * sandboxing CSP): never rendered by the browser as a page of this site. The public gets a
   * published document's file; staff any.
   */
  @Get(':documentId/file')
  @Public()
  @ApiProduces('application/octet-stream')
  @ApiResponse({
    status: 200,
    description: 'The file',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiResponse({ status: 404, description: 'application/problem+json' })
  async download(
    @Param() { id, documentId }: DocumentParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const file = await this.documents.openFile(id, documentId);
    const name = file.fileName ?? `document-${documentId}`;
    void reply
      .header('content-type', file.contentType)
      .header('content-length', String(file.size))
      .header(
        'content-disposition',
        `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      )
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox");
    return new StreamableFile(file.stream);
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

  /**
   * The `file` part of a multipart body (checked to be one by `upload`; limits from the config:
   * 413 when over).
   */
  private async readFile(
    request: FastifyRequest,
  ): Promise<{ fileName: string | undefined; data: Buffer }> {
    try {
      const part = await request.file({
        limits: { fileSize: this.documents.limits.maxBytes, files: 1, fields: 5 },
      });
      if (!part || part.fieldname !== 'file') {
        part?.file.resume();
        throw missingFile();
      }
      return { fileName: part.filename, data: await part.toBuffer() };
    } catch (error) {
      if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
        throw new AppError(
          'payload-too-large',
          `the file is over ${this.documents.limits.maxBytes} bytes`,
          {
            errors: [
              {
                in: 'body',
                field: 'file',
                message: `must be at most ${this.documents.limits.maxBytes} bytes`,
                code: 'too_large',
              },
            ],
          },
        );
      if (error instanceof AppError) throw error;
      // Everything else thrown while reading is the body's fault (busboy's "Unexpected end of
      // multipart data", "Boundary not found", too many parts): nothing is stored yet. It was
      // a 500 until the fuzz suite sent a truncated upload.
      throw new AppError(
        'bad-request',
        `the multipart body is malformed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
