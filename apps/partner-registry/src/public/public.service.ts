import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@sp/platform';
import type {
  PublicActivity,
  PublicActivityPage,
  PublicActivityQuery,
  PublicPartnerList,
} from '@sp/types';
import { ActivitiesService } from '../activities/activities.service';
import type { RegistryConfig } from '../config';
import { PartnersService } from '../partners/partners.service';
import { activityFeed } from './activity-feed';

/** How many activities the Atom feed carries (the newest). */
export const FEED_SIZE = 50;

/** What the programme's public page shows: partners and "Recent Activities". No personal data. */
@Injectable()
export class PublicService {
  constructor(
    private readonly partners: PartnersService,
    private readonly activities: ActivitiesService,
    @Inject(APP_CONFIG) private readonly config: RegistryConfig,
  ) {}

  partnerList(): Promise<PublicPartnerList> {
    return this.partners.listPublic();
  }

  recentActivities(query: PublicActivityQuery): Promise<PublicActivityPage> {
    return this.activities.listPublished(query.limit, query.cursor);
  }

  activity(id: string): Promise<PublicActivity> {
    return this.activities.getPublished(id);
  }

  async activityFeed(now = new Date()): Promise<string> {
    const { items } = await this.activities.listPublished(FEED_SIZE, undefined);
    return activityFeed(this.config.PUBLIC_BASE_URL, items, now);
  }
}
