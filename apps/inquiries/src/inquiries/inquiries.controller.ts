import { Controller, Get, Header, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  AppError,
  Public,
  requestContext,
  Responds,
  Scopes,
  ZodValidationPipe,
} from '@sp/platform';
import type {
  FollowUp,
  InquiryForm,
  InquiryReceipt,
  InquiryStatus,
  InquirySubmit,
} from '@sp/types';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkIdempotencyKey } from '../common/idempotency-key';
import { readBody } from '../common/multipart';
import {
  FollowUpDto,
  InquiryFormDto,
  InquiryReceiptDto,
  InquiryStatusDto,
  InquirySubmitDto,
  StatusAttachmentParamsDto,
  StatusTokenParamsDto,
} from './inquiries.dto';
import { InquiriesService } from './inquiries.service';

const validate = new ZodValidationPipe();

@ApiTags('inquiries')
@Controller('inquiries')
export class InquiriesController {
  constructor(private readonly inquiries: InquiriesService) {}

  /** The form to draw: each category with its fields (types, required, labels en/ja), and the attachment limits. */
  @Get('form')
  @Public()
  @Responds(200, InquiryFormDto, 429)
  form(): InquiryForm {
    return this.inquiries.form();
  }

  /**
   * Sends an inquiry: JSON, or `multipart/form-data` with files in `attachments` parts and
   * the category's fields in `fields.<name>` parts. Anyone may (rate limited); a partner token
   * with `inquiries:write` links the inquiry to its partner. 201 with the reference and the
   * secret status link; an acknowledgement mail goes to the inquirer in their language.
   */
  @Post()
  // The receipt holds the status token.
  @Header('cache-control', 'no-store')
  @Public()
  @Scopes('inquiries:write')
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ type: InquirySubmitDto })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'A key of your own for this submission (a UUID, say), 16–200 visible ASCII characters: sent again with the same request, it answers with the same receipt and makes no second inquiry (Idempotent-Replayed: true); with another request, 409',
  })
  @Responds(201, InquiryReceiptDto, 400, 403, 409, 413, 415, 429)
  async submit(
    @Req() request: FastifyRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InquiryReceipt> {
    const principal = requestContext.principal();
    if (principal.kind === 'partner' && !principal.scopes.includes('inquiries:write')) {
      throw new AppError('forbidden', 'this route needs the scope inquiries:write');
    }
    // At least 16 characters: the key is what unseals a retry's receipt (its status token).
    checkIdempotencyKey(idempotencyKey, 16);
    const { body, files } = await readBody(request, this.inquiries.attachmentLimits);
    const input = validate.transform(body, {
      type: 'body',
      metatype: InquirySubmitDto,
    }) as InquirySubmit;
    const { receipt, replayed } = await this.inquiries.submit(
      input,
      files,
      principal.kind === 'partner' ? principal.partnerId : null,
      idempotencyKey,
    );
    if (replayed) void reply.header('idempotent-replayed', 'true');
    return receipt;
  }

  /** The inquirer's view through the secret link: state and the public thread, nothing internal. */
  @Get('status/:token')
  @Public()
  @Responds(200, InquiryStatusDto, 404, 429)
  status(@Param() { token }: StatusTokenParamsDto): Promise<InquiryStatus> {
    return this.inquiries.status(token);
  }

  /**
   * The inquirer writes again (JSON, or multipart with `attachments`); a resolved inquiry
   * reopens, a closed one refuses (409). Answers with the updated status.
   */
  @Post('status/:token/messages')
  @Public()
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ type: FollowUpDto })
  @Responds(201, InquiryStatusDto, 404, 409, 413, 415, 429)
  async followUp(
    @Param() { token }: StatusTokenParamsDto,
    @Req() request: FastifyRequest,
  ): Promise<InquiryStatus> {
    const { body, files } = await readBody(request, this.inquiries.attachmentLimits);
    const input = validate.transform(body, { type: 'body', metatype: FollowUpDto }) as FollowUp;
    return this.inquiries.followUp(token, input.message, files);
  }

  /** An attachment of the public thread: always a download (never shown inline, never sniffed). */
  @Get('status/:token/attachments/:id')
  @Public()
  @HttpCode(200)
  @ApiProduces('application/octet-stream')
  @ApiResponse({ status: 200, description: 'the file, as an attachment' })
  @ApiResponse({ status: 404, description: 'application/problem+json' })
  async attachment(
    @Param() { token, id }: StatusAttachmentParamsDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const file = await this.inquiries.publicAttachment(token, id);
    const ascii = file.filename.replace(/[^\x20-\x7e]/g, '_').replace(/[\\"]/g, '_');
    await reply
      .header('content-type', file.contentType)
      .header('content-length', String(file.size))
      .header(
        'content-disposition',
        `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      )
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, no-store')
      .send(file.stream);
  }
}
