import type { Language } from '@sp/types';
import type { FastifyReply } from 'fastify';
import { Localizer, negotiateLanguage } from './language';

/** The reader's language: `?lang=` first, then `Accept-Language`, else English. */
export const readerLocalizer = (acceptLanguage: string | undefined, lang?: Language): Localizer =>
  new Localizer(negotiateLanguage(acceptLanguage, lang));

/**
 * Says what an answer is in (`Content-Language`: the reader's language, and the other one when
 * a text fell back to it), and that it depends on `Accept-Language` (for caches).
 */
export function sendContentLanguage(reply: FastifyReply, l: Localizer): void {
  void reply.header('content-language', l.contentLanguage());
  void reply.header('vary', 'Accept-Language');
}
