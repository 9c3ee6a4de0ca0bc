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
import { csvStream } from './csv-stream';
import {
  activityCsvColumns,
  fundingCsvColumns,
  mobilityCsvColumns,
  partnerCsvColumns,
} from './exports.mapper';

/** CSV exports: each kind streamed from its own module's service, never held in memory. */
@Injectable()
export class ExportsService {
  constructor(
    private readonly partnersService: PartnersService,
    private readonly activitiesService: ActivitiesService,
    private readonly mobilityService: MobilityService,
    private readonly fundingService: FundingService,
  ) {}

  partners(filters: PartnerExportQuery): Readable {
    return csvStream(partnerCsvColumns, this.partnersService.stream(filters));
  }

  activities(filters: ActivityExportQuery): Readable {
    return csvStream(activityCsvColumns, this.activitiesService.stream(filters));
  }

  mobility(filters: MobilityExportQuery): Readable {
    return csvStream(mobilityCsvColumns, this.mobilityService.stream(filters));
  }

  funding(filters: FundingExportQuery): Readable {
    return csvStream(fundingCsvColumns, this.fundingService.stream(filters));
  }
}
