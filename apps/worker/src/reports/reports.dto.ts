import { createZodDto } from '@sp/platform';
import {
  idParamsSchema,
  reportRequestSchema,
  reportRunListSchema,
  reportRunQuerySchema,
  reportRunSchema,
} from '@sp/types';

/**
 * The request body: one of a union by `kind` (each kind its own parameters), which the
 * validation pipe parses whole (the handler gets a `ReportRequest`). A class cannot extend a
 * union type, so the DTO class is typed as a bare object; the contract is `ReportRequest`.
 */
export class ReportRequestDto extends (createZodDto(
  reportRequestSchema,
) as unknown as new () => object) {}
export class ReportRunDto extends createZodDto(reportRunSchema) {}
export class ReportRunQueryDto extends createZodDto(reportRunQuerySchema) {}
export class ReportRunListDto extends createZodDto(reportRunListSchema) {}
export class ReportIdParamsDto extends createZodDto(idParamsSchema) {}
