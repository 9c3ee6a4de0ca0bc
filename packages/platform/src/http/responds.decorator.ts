import { applyDecorators, HttpCode } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiProduces, ApiResponse } from '@nestjs/swagger';
import type { ZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';
import { ProblemDto } from './problem.dto';
import { serializerSchema } from './serializer-schema';

type AnyDto = ZodDto<z.ZodType, boolean>;

/**
 * Declares a route's success response once: the status code, the OpenAPI response, and a
 * Fastify response schema so the body goes through Fastify's compiled serializer (faster than
 * JSON.stringify, and it drops any field the contract does not name; `serializerSchema` says
 * how its schema differs from the contract's). Also documents the
 * problem+json responses the route can give.
 */
export function Responds(status: number, dto: AnyDto, ...problems: number[]): MethodDecorator {
  const json = z.toJSONSchema(dto.schema, {
    target: 'draft-07',
    io: 'output',
    // Inline every sub-schema: Fastify's serializer wants one self-contained schema.
    metadata: z.registry(),
    unrepresentable: 'any',
  });
  delete json.$schema;
  return applyDecorators(
    HttpCode(status),
    RouteSchema({ response: { [status]: serializerSchema(json) } }),
    ApiResponse({ status, type: dto }),
    ...[400, ...problems].map((code) =>
      ApiResponse({ status: code, type: ProblemDto, description: 'application/problem+json' }),
    ),
  );
}

/**
 * `Responds` for a body that is not JSON (a CSV download, a feed): the status, the media
 * type in the OpenAPI document, and the problem+json responses the route can give.
 */
export function RespondsWith(
  status: number,
  mediaType: string,
  description: string,
  ...problems: number[]
): MethodDecorator {
  return applyDecorators(
    HttpCode(status),
    ApiProduces(mediaType),
    ApiResponse({ status, description, content: { [mediaType]: { schema: { type: 'string' } } } }),
    ...[400, ...problems].map((code) =>
      ApiResponse({ status: code, type: ProblemDto, description: 'application/problem+json' }),
    ),
  );
}
