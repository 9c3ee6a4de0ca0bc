import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RespondsWith, Roles } from '@sp/platform';
import type { Readable } from 'node:stream';
import { todayInTokyo } from '@sp/platform';
import {
  ActivityExportQueryDto,
  FundingExportQueryDto,
  MobilityExportQueryDto,
  PartnerExportQueryDto,
} from './exports.dto';
import { ExportsService } from './exports.service';

/** A download: UTF-8 CSV with a BOM, saved under `<kind>-<Tokyo date>.csv`. */
const download = (kind: string, stream: Readable): StreamableFile =>
  new StreamableFile(stream, {
    type: 'text/csv; charset=utf-8',
    disposition: `attachment; filename="${kind}-${todayInTokyo()}.csv"`,
  });

const CSV = 'CSV, UTF-8 with a BOM, streamed';

@ApiTags('exports')
@Controller('exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  /** Every partner the filters match (those of `GET /partners`), one row each, by name. */
  @Get('partners.csv')
  @Roles('staff')
  @RespondsWith(200, 'text/csv', CSV, 401, 403, 429)
  async partners(@Query() query: PartnerExportQueryDto): Promise<StreamableFile> {
    return download('partners', await this.exports.partners(query));
  }

  /** Every activity the filters match (those of `GET /activities`), oldest first. */
  @Get('activities.csv')
  @Roles('staff')
  @RespondsWith(200, 'text/csv', CSV, 401, 403, 429)
  async activities(@Query() query: ActivityExportQueryDto): Promise<StreamableFile> {
    return download('activities', await this.exports.activities(query));
  }

  /** Every mobility report the filters match (those of `GET /mobility`), oldest first. */
  @Get('mobility.csv')
  @Roles('staff')
  @RespondsWith(200, 'text/csv', CSV, 401, 403, 429)
  async mobility(@Query() query: MobilityExportQueryDto): Promise<StreamableFile> {
    return download('mobility', await this.exports.mobility(query));
  }

  /** Every funding record the filters match (those of `GET /funding`), oldest first. */
  @Get('funding.csv')
  @Roles('staff')
  @RespondsWith(200, 'text/csv', CSV, 401, 403, 429)
  async funding(@Query() query: FundingExportQueryDto): Promise<StreamableFile> {
    return download('funding', await this.exports.funding(query));
  }
}
