import { Controller, Get, Header, Headers, HttpCode, Param, Query, Res } from '@nestjs/common';
import { ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { notModified, Public, Responds } from '@sp/platform';
import type { PublicActivity, PublicActivityPage, PublicPartnerList } from '@sp/types';
import type { FastifyReply } from 'fastify';
import {
  PublicActivityDto,
  PublicActivityIdParamsDto,
  PublicActivityPageDto,
  PublicActivityQueryDto,
  PublicPartnerListDto,
} from './public.dto';
import { PublicService } from './public.service';

/** The programme page's data: anyone may read it, rate limited per address. */
@ApiTags('public')
@Controller('public')
export class PublicController {
  constructor(private readonly pub: PublicService) {}

  /** Partners as the programme page lists them: primary, strategic, prospective (ended ones not). */
  @Get('partners')
  @Public()
  @Header('cache-control', 'public, max-age=60')
  @Responds(200, PublicPartnerListDto, 429)
  partners(): Promise<PublicPartnerList> {
    return this.pub.partnerList();
  }

  /** "Recent Activities": approved public activities, newest first, in keyset pages; `partnerId` for one partner's. */
  @Get('activities')
  @Public()
  @Header('cache-control', 'public, max-age=60')
  @Responds(200, PublicActivityPageDto, 429)
  activities(@Query() query: PublicActivityQueryDto): Promise<PublicActivityPage> {
    return this.pub.recentActivities(query);
  }

  /** The same as an Atom 1.0 feed (the newest 50), for feed readers. */
  @Get('activities.atom')
  @Public()
  @HttpCode(200)
  @Header('content-type', 'application/atom+xml; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  @ApiProduces('application/atom+xml')
  @ApiResponse({
    status: 200,
    description: 'An Atom 1.0 feed of the newest approved public activities',
    content: { 'application/atom+xml': { schema: { type: 'string' } } },
  })
  @ApiResponse({ status: 304, description: 'Unchanged since the ETag sent in If-None-Match' })
  @ApiResponse({ status: 429, description: 'Too many requests (application/problem+json)' })
  async activityFeed(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { xml, etag } = await this.pub.activityFeed();
    void reply.header('etag', etag);
    // A reader that has this version gets 304 and no body.
    if (notModified(ifNoneMatch, etag)) {
      void reply.status(304);
      return '';
    }
    return xml;
  }

  /** One approved public activity (where the feed's entries link). */
  @Get('activities/:id')
  @Public()
  @Header('cache-control', 'public, max-age=60')
  @Responds(200, PublicActivityDto, 404, 429)
  activity(@Param() { id }: PublicActivityIdParamsDto): Promise<PublicActivity> {
    return this.pub.activity(id);
  }
}
