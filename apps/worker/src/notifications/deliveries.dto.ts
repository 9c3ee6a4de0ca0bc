import { deliveryListSchema, deliveryQuerySchema } from '@sp/types';
import { createZodDto } from '@sp/platform';

export class DeliveryQueryDto extends createZodDto(deliveryQuerySchema) {}
export class DeliveryListDto extends createZodDto(deliveryListSchema) {}
