import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppError } from '@sp/platform';
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
import type { RegistryConfig } from '../config';
import { PartnersService } from '../partners/partners.service';
import {
  activityCsvColumns,
  fundingCsvColumns,
  mobilityCsvColumns,
  partnerCsvColumns,
} from './exports.mapper';

/** How long a caller refused for too many exports is asked to wait, in seconds. */
export const EXPORT_RETRY_AFTER_SECONDS = 30;

/**
 * CSV exports: each kind read through its own module (its filters, its partner binding) and
 * written by Postgres, streamed, never held in memory. At most EXPORT_CONCURRENCY run at once on
 * an instance: each holds a database connection of the request pool until its download ends.
 */
@Injectable()
export class ExportsService {
  private running = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: RegistryConfig,
    private readonly partnersService: PartnersService,
    private readonly activitiesService: ActivitiesService,
    private readonly mobilityService: MobilityService,
    private readonly fundingService: FundingService,
  ) {}

  partners(filters: PartnerExportQuery): Promise<Readable> {
    return this.limited(() => this.partnersService.exportCsv(filters, partnerCsvColumns));
  }

  activities(filters: ActivityExportQuery): Promise<Readable> {
    return this.limited(() => this.activitiesService.exportCsv(filters, activityCsvColumns));
  }

  mobility(filters: MobilityExportQuery): Promise<Readable> {
    return this.limited(() => this.mobilityService.exportCsv(filters, mobilityCsvColumns));
  }

  funding(filters: FundingExportQuery): Promise<Readable> {
    return this.limited(() => this.fundingService.exportCsv(filters, fundingCsvColumns));
  }

  /** Starts an export if fewer than EXPORT_CONCURRENCY run; its slot is free when it closes. */
  private async limited(start: () => Promise<Readable>): Promise<Readable> {
    const limit = this.config.EXPORT_CONCURRENCY;
    if (this.running >= limit)
      throw new AppError(
        'too-many-requests',
        `${limit} exports are running on this server; try again in ${EXPORT_RETRY_AFTER_SECONDS} s`,
        { headers: { 'retry-after': String(EXPORT_RETRY_AFTER_SECONDS) } },
      );
    this.running++;
    let stream: Readable;
    try {
      stream = await start();
    } catch (error) {
      this.running--;
      throw error;
    }
    // A stream closes once: read to its end, failed, or destroyed by a reader gone.
    stream.once('close', () => this.running--);
    return stream;
  }
}
