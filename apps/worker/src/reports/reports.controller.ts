import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { requestContext, Responds, Roles, Scopes } from '@sp/platform';
import type { ReportRequest, ReportRun, ReportRunList } from '@sp/types';
import type { FastifyReply } from 'fastify';
import {
  ReportIdParamsDto,
  ReportRequestDto,
  ReportRunDto,
  ReportRunListDto,
  ReportRunQueryDto,
} from './reports.dto';
import { ReportsService } from './reports.service';

@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /**
   * Asks for a report: 202 with the run (`Location` names it); it is built in the background.
   * The same request (kind, format, parameters) while one is queued or running answers that
   * run. Staff may ask for any report; a partner (`reports:read`) only for its own partner
   * profile (another partner's: 404; a programme-wide report: 403).
   */
  @Post()
  @Roles('staff')
  @Scopes('reports:read')
  @Responds(202, ReportRunDto, 401, 403, 404)
  async request(
    @Body() body: ReportRequestDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReportRun> {
    // The validation pipe has parsed the body with the DTO's schema, `reportRequestSchema`.
    const request = body as ReportRequest;
    const { run } = await this.reports.request(request, requestContext.principal());
    void reply.header('location', `/reports/${run.id}`);
    return run;
  }

  /** Staff's list of runs, newest first, by kind and state. */
  @Get()
  @Roles('viewer')
  @Responds(200, ReportRunListDto, 401, 403)
  list(@Query() query: ReportRunQueryDto): Promise<ReportRunList> {
    return this.reports.list(query);
  }

  /** A run: its state, progress (percent, rows so far), why it failed, its file once built. */
  @Get(':id')
  @Roles('viewer')
  @Scopes('reports:read')
  @Responds(200, ReportRunDto, 401, 403, 404)
  get(@Param() { id }: ReportIdParamsDto): Promise<ReportRun> {
    return this.reports.get(id);
  }

  /**
   * The run's file, streamed as a download with its format's content type and file name:
   * 409 while the run is queued or running, 404 if it failed.
   */
  @Get(':id/file')
  @Roles('viewer')
  @Scopes('reports:read')
  @ApiProduces(
    'text/csv',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/pdf',
  )
  @ApiResponse({
    status: 200,
    description: 'The file',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiResponse({ status: 404, description: 'application/problem+json' })
  @ApiResponse({ status: 409, description: 'application/problem+json' })
  async file(
    @Param() { id }: ReportIdParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const file = await this.reports.openFile(id);
    void reply
      .header('content-type', file.contentType)
      .header('content-length', String(file.size))
      .header(
        'content-disposition',
        `attachment; filename="${file.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      )
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox");
    return new StreamableFile(file.stream);
  }

  /** Deletes a run and its file. */
  @Delete(':id')
  @Roles('staff')
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiResponse({ status: 404, description: 'application/problem+json' })
  async remove(@Param() { id }: ReportIdParamsDto): Promise<void> {
    await this.reports.remove(id);
  }
}
