import { Injectable } from '@nestjs/common';
import type {
  ActivityExportQuery,
  FundingExportQuery,
  MobilityExportQuery,
  PartnerExportQuery,
} from '@sp/types';
import type { Readable } from 'node:stream';
import { ActivitiesService } from '../activities/activities.service';
import { FundingService } from '../funding/funding.service';
import { MobilityService } from '../mobility/mobility.service';
import { PartnersService } from '../partners/partners.service';
import {
  activityCsvColumns,
  fundingCsvColumns,
  mobilityCsvColumns,
  partnerCsvColumns,
} from './exports.mapper';

/**
 * CSV exports: each kind read through its own module (its filters, its partner binding) and
 * written by Postgres, streamed, never held in memory.
 */
@Injectable()
export class ExportsService {
  constructor(
    private readonly partnersService: PartnersService,
    private readonly activitiesService: ActivitiesService,
    private readonly mobilityService: MobilityService,
    private readonly fundingService: FundingService,
  ) {}

  partners(filters: PartnerExportQuery): Promise<Readable> {
    return this.partnersService.exportCsv(filters, partnerCsvColumns);
  }

  activities(filters: ActivityExportQuery): Promise<Readable> {
    return this.activitiesService.exportCsv(filters, activityCsvColumns);
  }

  mobility(filters: MobilityExportQuery): Promise<Readable> {
    return this.mobilityService.exportCsv(filters, mobilityCsvColumns);
  }

  funding(filters: FundingExportQuery): Promise<Readable> {
    return this.fundingService.exportCsv(filters, fundingCsvColumns);
  }
}
