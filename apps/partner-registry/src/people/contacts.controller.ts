import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  type ExpectedVersion,
  IfMatch,
  Preconditioned,
  Responds,
  Roles,
  Scopes,
  sendETag,
} from '@sp/platform';
import type { Contact, ContactPage } from '@sp/types';
import type { FastifyReply } from 'fastify';
import {
  ContactCreateDto,
  ContactDto,
  ContactIdParamsDto,
  ContactListQueryDto,
  ContactPageDto,
  ContactUpdateDto,
} from './contacts.dto';
import { ContactsService } from './contacts.service';

/**
 * People on a partner's side. Personal data: staff read all of it; a partner's token with
 * `registry:read` reads its own partner's contacts and, with `contacts:write`, maintains them.
 * Another partner's contact is 404. No public route carries any of it.
 */
@ApiTags('people')
@Controller()
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  /** A partner's contacts, by English name, in keyset pages. */
  @Get('partners/:id/contacts')
  @Roles('viewer')
  @Scopes('registry:read')
  @Responds(200, ContactPageDto, 401, 403, 404)
  list(
    @Param() { id }: ContactIdParamsDto,
    @Query() query: ContactListQueryDto,
  ): Promise<ContactPage> {
    return this.contacts.listForPartner(id, query);
  }

  @Post('partners/:id/contacts')
  @Roles('staff')
  @Scopes('contacts:write')
  @Responds(201, ContactDto, 401, 403, 404, 409)
  async create(
    @Param() { id }: ContactIdParamsDto,
    @Body() body: ContactCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Contact> {
    const contact = await this.contacts.create(id, body);
    void reply.header('location', `/contacts/${contact.id}`);
    sendETag(reply, contact.version);
    return contact;
  }

  @Get('contacts/:id')
  @Roles('viewer')
  @Scopes('registry:read')
  @Responds(200, ContactDto, 401, 403, 404)
  async get(
    @Param() { id }: ContactIdParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Contact> {
    const contact = await this.contacts.get(id);
    sendETag(reply, contact.version);
    return contact;
  }

  /** Changes the given fields. Needs `If-Match` with the ETag read (428 without, 412 stale). */
  @Patch('contacts/:id')
  @Roles('staff')
  @Scopes('contacts:write')
  @Preconditioned()
  @Responds(200, ContactDto, 401, 403, 404, 409)
  async update(
    @Param() { id }: ContactIdParamsDto,
    @Body() body: ContactUpdateDto,
    @IfMatch() expected: ExpectedVersion,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Contact> {
    const contact = await this.contacts.update(id, body, expected);
    sendETag(reply, contact.version);
    return contact;
  }

  /** Deletes the contact for good (personal data). Needs `If-Match` like an update. */
  @Delete('contacts/:id')
  @Roles('staff')
  @Scopes('contacts:write')
  @Preconditioned()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiResponse({ status: 404, description: 'No such contact (problem+json)' })
  async delete(
    @Param() { id }: ContactIdParamsDto,
    @IfMatch() expected: ExpectedVersion,
  ): Promise<void> {
    await this.contacts.delete(id, expected);
  }
}
