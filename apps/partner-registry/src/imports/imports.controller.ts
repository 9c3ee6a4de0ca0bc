import { Body, Controller, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { AppError, Responds, Roles } from '@sp/platform';
import type { ImportReport } from '@sp/types';
import { chunksOf } from './csv-rows';
import { ImportParamsDto, ImportQueryDto, ImportReportDto } from './imports.dto';
import { ImportsService } from './imports.service';

@ApiTags('imports')
@Controller('imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  /**
   * Imports a CSV file (`Content-Type: text/csv`, UTF-8, a BOM allowed; the first row names the
   * columns, as the fields of the create route's body; list cells separated by `;`). With
   * `dryRun=true` (the default) nothing is written and the report lists every bad row by line
   * and column. With `dryRun=false` the whole file is written in one transaction, or, when any
   * row is bad, nothing: 422 naming each bad row's line and column.
   */
  @Post(':kind')
  @Roles('staff')
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @Responds(200, ImportReportDto, 401, 403, 409, 413, 415, 422)
  run(
    @Param() { kind }: ImportParamsDto,
    @Query() { dryRun }: ImportQueryDto,
    @Body() body: unknown,
  ): Promise<ImportReport> {
    if (body !== undefined && !Buffer.isBuffer(body))
      throw new AppError('unsupported-media-type', 'send the file as text/csv');
    // The body is held as received (up to IMPORT_BODY_LIMIT): the import's transaction then
    // never waits on a slow upload. It is read from there a slice at a time.
    return this.imports.run(kind, chunksOf(body ?? Buffer.alloc(0)), { dryRun });
  }
}
