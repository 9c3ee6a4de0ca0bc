import { deliveryListSchema, deliveryQuerySchema } from '@sp/types';
import { createZodDto } from 'nestjs-zod/dto';

export class DeliveryQueryDto extends createZodDto(deliveryQuerySchema) {}
export class DeliveryListDto extends createZodDto(deliveryListSchema) {}
