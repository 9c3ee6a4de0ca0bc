import {
  Body,
  Controller,
  Delete,
  Get,
  Param,
  Post,
  Put,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  type ExpectedVersion,
  IfMatch,
  Preconditioned,
  Public,
  Responds,
  Roles,
  Scopes,
  sendETag,
} from '@sp/platform';
import type {
  Registration,
  RegistrationPage,
  RegistrationReceipt,
  RegistrationSettings,
} from '@sp/types';
import type { FastifyReply } from 'fastify';
import { registrationsCsv } from './registrations-csv';
import {
  CheckInDto,
  RegistrationCreateDto,
  RegistrationDto,
  RegistrationExportQueryDto,
  RegistrationIdParamsDto,
  RegistrationListQueryDto,
  RegistrationPageDto,
  RegistrationReceiptDto,
  RegistrationSettingsDto,
  RegistrationSettingsInputDto,
  RegistrationTokenParamsDto,
  SymposiumRegistrationParamsDto,
} from './registrations.dto';
import { RegistrationsService } from './registrations.service';

/** Public sign-ups and the secret link: a tighter budget than the reading routes. */
const SIGN_UP_LIMIT = { rateLimit: { perMinute: 10 } } as const;
const SELF_LIMIT = { rateLimit: { perMinute: 30 } } as const;

@ApiTags('registrations')
@Controller()
export class RegistrationsController {
  constructor(private readonly registrations: RegistrationsService) {}

  /** Capacity, window, the form's extra fields and seats left: what a sign-up page shows. */
  @Get('symposiums/:id/registration-settings')
  @Public()
  @Responds(200, RegistrationSettingsDto, 404, 409)
  async getSettings(
    @Param() { id }: SymposiumRegistrationParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RegistrationSettings> {
    const settings = await this.registrations.getSettings(id);
    sendETag(reply, settings.version);
    return settings;
  }

  /**
   * Sets a symposium's registration settings (`If-Match: *` to create them, the ETag read to
   * change them). More seats promote from the waiting list at once.
   */
  @Put('symposiums/:id/registration-settings')
  @Roles('staff')
  @Preconditioned()
  @Responds(200, RegistrationSettingsDto, 401, 403, 404)
  async putSettings(
    @Param() { id }: SymposiumRegistrationParamsDto,
    @Body() body: RegistrationSettingsInputDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RegistrationSettings> {
    const settings = await this.registrations.putSettings(id, body, expected);
    sendETag(reply, settings.version);
    return settings;
  }

  /**
   * Anyone signs up: a seat while one is free, the waiting list otherwise. The confirmation
   * (with the check-in code and the secret link) goes by mail, in the registrant's language.
   */
  @Post('symposiums/:id/sign-ups')
  @Public(SIGN_UP_LIMIT)
  @Responds(201, RegistrationReceiptDto, 404, 409, 429)
  async signUp(
    @Param() { id }: SymposiumRegistrationParamsDto,
    @Body() body: RegistrationCreateDto,
  ): Promise<RegistrationReceipt> {
    return (await this.registrations.register(id, body, 'sign-up')).receipt;
  }

  /** Staff, or a partner registering a member of its delegation (its own rows only). */
  @Post('symposiums/:id/registrations')
  @Roles('staff')
  @Scopes('symposium:register')
  @Responds(201, RegistrationDto, 401, 403, 404, 409)
  async register(
    @Param() { id }: SymposiumRegistrationParamsDto,
    @Body() body: RegistrationCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Registration> {
    const { registration } = await this.registrations.register(id, body);
    void reply.header('location', `/registrations/${registration.id}`);
    return registration;
  }

  /** In arrival order; `q` finds people by name or address (check-in desk). A partner sees its delegation. */
  @Get('symposiums/:id/registrations')
  @Roles('viewer')
  @Scopes('symposium:register')
  @Responds(200, RegistrationPageDto, 401, 403, 404)
  list(
    @Param() { id }: SymposiumRegistrationParamsDto,
    @Query() query: RegistrationListQueryDto,
  ): Promise<RegistrationPage> {
    return this.registrations.list(id, query);
  }

  /** The list as CSV (UTF-8 with BOM, for Excel), with a column per form field. */
  @Get('symposiums/:id/registrations/export')
  @Roles('viewer')
  @ApiProduces('text/csv')
  @ApiResponse({ status: 200, description: 'text/csv; charset=utf-8' })
  async export(
    @Param() { id }: SymposiumRegistrationParamsDto,
    @Query() query: RegistrationExportQueryDto,
  ): Promise<StreamableFile> {
    const { form, items } = await this.registrations.exportRows(id, query.status);
    return new StreamableFile(registrationsCsv(form, items), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="registrations-${id}.csv"`,
    });
  }

  /** Checks a confirmed registrant in by the code on their mail, or by id after a name search. */
  @Post('symposiums/:id/check-ins')
  @Roles('staff')
  @Responds(200, RegistrationDto, 401, 403, 404, 409)
  checkIn(
    @Param() { id }: SymposiumRegistrationParamsDto,
    @Body() body: CheckInDto,
  ): Promise<Registration> {
    return this.registrations.checkIn(id, body);
  }

  @Get('registrations/:id')
  @Roles('viewer')
  @Scopes('symposium:register')
  @Responds(200, RegistrationDto, 401, 403, 404)
  get(@Param() { id }: RegistrationIdParamsDto): Promise<Registration> {
    return this.registrations.get(id);
  }

  /** Cancels; a freed seat goes to the first of the waiting list, who is mailed. */
  @Delete('registrations/:id')
  @Roles('staff')
  @Scopes('symposium:register')
  @Responds(200, RegistrationDto, 401, 403, 404, 409)
  cancel(@Param() { id }: RegistrationIdParamsDto): Promise<Registration> {
    return this.registrations.cancelById(id);
  }

  /** The registration behind the secret link in the mail. */
  @Get('registrations/self/:token')
  @Public(SELF_LIMIT)
  @Responds(200, RegistrationDto, 404, 429)
  self(@Param() { token }: RegistrationTokenParamsDto): Promise<Registration> {
    return this.registrations.getByToken(token);
  }

  /** The registrant cancels through the secret link. */
  @Delete('registrations/self/:token')
  @Public(SELF_LIMIT)
  @Responds(200, RegistrationDto, 404, 409, 429)
  cancelSelf(@Param() { token }: RegistrationTokenParamsDto): Promise<Registration> {
    return this.registrations.cancelByToken(token);
  }

  /** The check-in code as a QR image, to show at the entrance. */
  @Get('registrations/self/:token/qr.png')
  @Public(SELF_LIMIT)
  @ApiProduces('image/png')
  @ApiResponse({ status: 200, description: 'image/png' })
  async qr(
    @Param() { token }: RegistrationTokenParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const png = await this.registrations.qrByToken(token);
    void reply.header('content-type', 'image/png').header('cache-control', 'private, no-store');
    return png;
  }
}
