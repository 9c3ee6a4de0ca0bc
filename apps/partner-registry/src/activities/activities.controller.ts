import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  type ExpectedVersion,
  IfMatch,
  Preconditioned,
  Responds,
  Roles,
  Scopes,
  sendETag,
} from '@sp/platform';
import type { Activity, ActivityPage } from '@sp/types';
import type { FastifyReply } from 'fastify';
import {
  ActivityCreateDto,
  ActivityDto,
  ActivityIdParamsDto,
  ActivityListQueryDto,
  ActivityPageDto,
  ActivityUpdateDto,
  ReviewApproveDto,
  ReviewReturnDto,
} from './activities.dto';
import { ActivitiesService } from './activities.service';

@ApiTags('activities')
@Controller('activities')
export class ActivitiesController {
  constructor(private readonly activities: ActivitiesService) {}

  /** Activities newest first, filtered by partner, type, review status, public flag. A partner sees its own. */
  @Get()
  @Roles('viewer')
  @Scopes('registry:read', 'activities:write')
  @Responds(200, ActivityPageDto, 401, 403)
  list(@Query() query: ActivityListQueryDto): Promise<ActivityPage> {
    return this.activities.list(query);
  }

  /** One activity, with staff's review comment. */
  @Get(':id')
  @Roles('viewer')
  @Scopes('registry:read', 'activities:write')
  @Responds(200, ActivityDto, 401, 403, 404)
  async get(
    @Param() { id }: ActivityIdParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Activity> {
    const activity = await this.activities.get(id);
    sendETag(reply, activity.version);
    return activity;
  }

  /**
   * Staff record an activity (approved as written; `partnerId` required). A partner's client
   * with `activities:write` reports its own as a draft, to submit for review.
   */
  @Post()
  @Roles('staff')
  @Scopes('activities:write')
  @Responds(201, ActivityDto, 401, 403)
  async create(
    @Body() body: ActivityCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Activity> {
    const activity = await this.activities.create(body);
    void reply.header('location', `/activities/${activity.id}`);
    sendETag(reply, activity.version);
    return activity;
  }

  /**
   * Changes the given fields. A partner may edit its draft, returned or approved activities
   * (an approved one goes back to draft), not one waiting for review (409).
   */
  @Patch(':id')
  @Roles('staff')
  @Scopes('activities:write')
  @Preconditioned()
  @Responds(200, ActivityDto, 401, 403, 404, 409)
  async update(
    @Param() { id }: ActivityIdParamsDto,
    @Body() body: ActivityUpdateDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Activity> {
    const activity = await this.activities.update(id, body, expected);
    sendETag(reply, activity.version);
    return activity;
  }

  /** Sends a draft or returned activity to staff for review. */
  @Post(':id/submit')
  @HttpCode(200)
  @Roles('staff')
  @Scopes('activities:write')
  @Preconditioned()
  @Responds(200, ActivityDto, 401, 403, 404, 409)
  async submit(
    @Param() { id }: ActivityIdParamsDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Activity> {
    const activity = await this.activities.submit(id, expected);
    sendETag(reply, activity.version);
    return activity;
  }

  /** Approves a submitted activity, with an optional comment; public from now if flagged so. */
  @Post(':id/approve')
  @HttpCode(200)
  @Roles('staff')
  @Preconditioned()
  @Responds(200, ActivityDto, 401, 403, 404, 409)
  async approve(
    @Param() { id }: ActivityIdParamsDto,
    @Body() body: ReviewApproveDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Activity> {
    const activity = await this.activities.review(id, { approve: body }, expected);
    sendETag(reply, activity.version);
    return activity;
  }

  /** Returns a submitted activity to the partner with a comment saying what to change. */
  @Post(':id/return')
  @HttpCode(200)
  @Roles('staff')
  @Preconditioned()
  @Responds(200, ActivityDto, 401, 403, 404, 409)
  async return(
    @Param() { id }: ActivityIdParamsDto,
    @Body() body: ReviewReturnDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Activity> {
    const activity = await this.activities.review(id, { return: body }, expected);
    sendETag(reply, activity.version);
    return activity;
  }
}
