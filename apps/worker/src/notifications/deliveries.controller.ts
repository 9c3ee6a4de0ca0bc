import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Responds, Roles } from '@sp/platform';
import type { DeliveryList } from '@sp/types';
import { DeliveryListDto, DeliveryQueryDto } from './deliveries.dto';
import { DeliveriesService } from './deliveries.service';

@ApiTags('notifications')
@Controller('notifications')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  /**
   * Messages and their fate, newest first; `status=failed` lists the ones that need a person,
   * `to=` what was sent to one address.
   */
  @Get('deliveries')
  @Roles('admin')
  @Responds(200, DeliveryListDto, 400, 401, 403)
  list(@Query() query: DeliveryQueryDto): Promise<DeliveryList> {
    return this.deliveries.list(query);
  }
}
