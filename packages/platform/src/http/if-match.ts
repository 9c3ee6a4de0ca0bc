import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../app-error';
import { ProblemDto } from './problem.dto';

/**
 * Optimistic concurrency for every update: a row carries a `version` raised by each committed
 * change; its representation carries `ETag: "<version>"`; a write must send `If-Match` with the
 * ETag the caller read. Missing → 428, stale → 412, so no update is ever lost.
 *
 * `expected` is the list of versions the caller named, or `'any'` for `If-Match: *`.
 */
export type ExpectedVersion = { readonly versions: readonly number[] } | 'any';

/** The strong ETag of a row at a version. */
export function etagOf(version: number | string | bigint): string {
  return `"${String(version)}"`;
}

/** Sets the representation's ETag on the reply. */
export function sendETag(reply: FastifyReply, version: number | string | bigint): void {
  void reply.header('etag', etagOf(version));
}

/**
 * Whether a GET with this `If-None-Match` gets 304 for a representation whose ETag is `etag`
 * (RFC 9110 §13.1.2): `*`, or a listed tag equal to it by weak comparison, so `W/"x"` matches
 * `"x"` (a proxy that compresses a response weakens its tag, and a reader sends that back).
 */
export function notModified(header: string | string[] | undefined, etag: string): boolean {
  const value = (Array.isArray(header) ? header.join(',') : header)?.trim();
  if (!value) return false;
  if (value === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return value.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/**
 * Parses an `If-Match` header value (RFC 9110 §13.1.1). Weak tags never match (strong
 * comparison), so `W/"3"` counts as no usable tag. Throws 428 when absent, 412 when nothing in it
 * could match a version of ours.
 */
export function parseIfMatch(header: string | string[] | undefined): ExpectedVersion {
  const value = (Array.isArray(header) ? header.join(',') : header)?.trim();
  if (!value)
    throw new AppError(
      'precondition-required',
      'This update needs an If-Match header with the ETag of the version you read (GET it first)',
    );
  if (value === '*') return 'any';
  const versions: number[] = [];
  for (const part of value.split(',')) {
    const match = /^"(\d{1,15})"$/.exec(part.trim());
    if (match?.[1] !== undefined) versions.push(Number(match[1]));
  }
  if (versions.length === 0)
    throw new AppError(
      'precondition-failed',
      `If-Match ${value.slice(0, 100)} names no version of this resource`,
    );
  return { versions };
}

/**
 * Throws 412 unless the current version is one the caller named. Call it with the row read
 * `FOR UPDATE` inside the write's transaction, so no other write can slip in between.
 */
export function checkVersion(
  current: number | string | bigint,
  expected: ExpectedVersion,
  entity: string,
): void {
  if (expected === 'any') return;
  const version = Number(current);
  if (!expected.versions.includes(version))
    throw new AppError(
      'precondition-failed',
      `The ${entity} has changed since you read it (it is now at ETag ${etagOf(version)}); read it again and reapply your change`,
      { headers: { etag: etagOf(version) } },
    );
}

/** The route parameter: `@IfMatch() expected: ExpectedVersion` (428/412 before the handler). */
export const IfMatch = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ExpectedVersion =>
    parseIfMatch(context.switchToHttp().getRequest<FastifyRequest>().headers['if-match']),
);

/** Documents the `If-Match` header and the 412/428 answers of a conditional write. */
export function Preconditioned(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: true,
      description: 'The ETag of the version you read; `*` for any version',
    }),
    ApiResponse({ status: 412, type: ProblemDto, description: 'application/problem+json' }),
    ApiResponse({ status: 428, type: ProblemDto, description: 'application/problem+json' }),
  );
}
