import { Body, Controller, Get, Header, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Responds, Roles } from '@sp/platform';
import type { ApiClient, ApiClientList, ApiClientWithSecret } from '@sp/types';
import {
  ApiClientCreateDto,
  ApiClientDto,
  ApiClientListDto,
  ApiClientWithSecretDto,
  ClientIdParamsDto,
  PartnerIdParamsDto,
} from './api-clients.dto';
import { ApiClientsService } from './api-clients.service';

@ApiTags('api clients')
@Controller()
export class ApiClientsController {
  constructor(private readonly clients: ApiClientsService) {}

  /** A new API client for a partner. The secret is in this answer and nowhere else, ever. */
  @Post('partners/:id/clients')
  @Header('cache-control', 'no-store')
  @Roles('admin')
  @Responds(201, ApiClientWithSecretDto, 401, 403, 404)
  create(
    @Param() { id }: PartnerIdParamsDto,
    @Body() body: ApiClientCreateDto,
  ): Promise<ApiClientWithSecret> {
    return this.clients.create(id, body);
  }

  @Get('partners/:id/clients')
  @Roles('admin')
  @Responds(200, ApiClientListDto, 401, 403, 404)
  list(@Param() { id }: PartnerIdParamsDto): Promise<ApiClientList> {
    return this.clients.list(id);
  }

  /** A new secret, shown once; the old one stops working at once. */
  @Post('clients/:clientId/rotate')
  @Header('cache-control', 'no-store')
  @Roles('admin')
  @Responds(200, ApiClientWithSecretDto, 401, 403, 404, 409)
  rotate(@Param() { clientId }: ClientIdParamsDto): Promise<ApiClientWithSecret> {
    return this.clients.rotate(clientId);
  }

  @Post('clients/:clientId/revoke')
  @Roles('admin')
  @Responds(200, ApiClientDto, 401, 403, 404)
  revoke(@Param() { clientId }: ClientIdParamsDto): Promise<ApiClient> {
    return this.clients.revoke(clientId);
  }
}
