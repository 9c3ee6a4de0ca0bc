import { AppError } from '@sp/platform';
import type { FastifyRequest } from 'fastify';
import { tooMany } from '../attachments/attachment-policy';
import type { IncomingFile } from '../attachments/attachments.service';

export type MultipartLimits = { maxFileBytes: number; maxFiles: number; maxTotalBytes: number };
export type ReadBody = { body: unknown; files: IncomingFile[] };

const tooLarge = (message: string, field = 'attachments') =>
  new AppError('payload-too-large', message, {
    errors: [{ in: 'body', field, message, code: 'too_large' }],
  });

/**
 * A request body as JSON or as `multipart/form-data`. In a multipart body, file parts named
 * `attachments` are the files; `fields.<name>` parts fill the category's `fields`; other parts
 * are top-level fields. Limits are kept while reading: a file over the per-file limit, one file
 * too many or over the total stop the request (413) before anything is stored.
 */
export async function readBody(
  request: FastifyRequest,
  limits: MultipartLimits,
): Promise<ReadBody> {
  if (!request.isMultipart()) return { body: request.body, files: [] };
  const body: Record<string, unknown> = {};
  const fields: Record<string, unknown> = {};
  const files: IncomingFile[] = [];
  let total = 0;
  try {
    const parts = request.parts({
      limits: {
        fileSize: limits.maxFileBytes,
        // One more than allowed is read, so "too many" is told apart from a broken request.
        files: limits.maxFiles + 1,
        fields: 40,
        fieldSize: 100_000,
        parts: limits.maxFiles + 41,
      },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'attachments') {
          part.file.resume();
          throw new AppError('validation-error', `unexpected file part "${part.fieldname}"`, {
            errors: [
              {
                in: 'body',
                field: part.fieldname,
                message: 'files go in parts named "attachments"',
                code: 'unexpected_file',
              },
            ],
          });
        }
        if (files.length >= limits.maxFiles) {
          part.file.resume();
          throw new AppError(
            'payload-too-large',
            `at most ${limits.maxFiles} files may be attached`,
            {
              errors: [tooMany(limits.maxFiles)],
            },
          );
        }
        const data = await part.toBuffer();
        total += data.length;
        if (total > limits.maxTotalBytes) {
          throw tooLarge(`the attachments are over ${limits.maxTotalBytes} bytes together`);
        }
        // A part typed application/octet-stream is a file even without a `filename` (busboy),
        // and then has none, whatever the plugin's type says.
        files.push({ filename: part.filename || '', data });
      } else {
        const value = typeof part.value === 'string' ? part.value : String(part.value);
        if (part.fieldname.startsWith('fields.')) fields[part.fieldname.slice(7)] = value;
        else if (part.fieldname === 'fields') {
          try {
            Object.assign(fields, JSON.parse(value) as Record<string, unknown>);
          } catch {
            throw new AppError('validation-error', 'the "fields" part is not JSON', {
              errors: [
                {
                  in: 'body',
                  field: 'fields',
                  message: 'must be a JSON object',
                  code: 'invalid_json',
                },
              ],
            });
          }
        } else body[part.fieldname] = value;
      }
    }
  } catch (error) {
    throw asProblem(error, limits);
  }
  if (Object.keys(fields).length || body['category'] !== undefined) body['fields'] = fields;
  return { body, files };
}

function asProblem(error: unknown, limits: MultipartLimits): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return tooLarge(`a file is over ${limits.maxFileBytes} bytes`);
    case 'FST_FILES_LIMIT':
      return new AppError('payload-too-large', `at most ${limits.maxFiles} files may be attached`, {
        errors: [tooMany(limits.maxFiles)],
      });
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return tooLarge('too many parts in the form', '(root)');
    case 'FST_PROTO_VIOLATION':
    case 'FST_MP_PREMATURE_CLOSE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('bad-request', (error as Error).message);
    default:
      // Everything else thrown while reading is the body's fault (busboy: "Unexpected end of
      // multipart data", "Boundary not found", …): nothing has been stored or written yet.
      return new AppError(
        'bad-request',
        `the multipart body is malformed: ${error instanceof Error ? error.message : String(error)}`,
      );
  }
}
