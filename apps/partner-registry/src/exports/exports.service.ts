import { Injectable } from '@nestjs/common';
import type { PartnerExportQuery } from '@sp/types';
import type { Readable } from 'node:stream';
import { PartnersService } from '../partners/partners.service';
import { csvStream } from './csv-stream';
import { partnerCsvColumns } from './exports.mapper';

/** CSV exports: each kind streamed from its own module's service, never held in memory. */
@Injectable()
export class ExportsService {
  constructor(private readonly partnersService: PartnersService) {}

  partners(filters: PartnerExportQuery): Readable {
    return csvStream(partnerCsvColumns, this.partnersService.stream(filters));
  }
}
