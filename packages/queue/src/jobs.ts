import { type EmailSend, emailSendSchema } from '@sp/types';
import type { JobsOptions, Queue } from 'bullmq';
import { defaultJobOptions } from './queues';

/**
 * Adds an `email.send` job, checking its payload first: a bad payload is the producer's bug
 * and is refused here (a ZodError), before it reaches the queue.
 */
export function enqueueEmail(queue: Queue, data: EmailSend, options: JobsOptions = {}) {
  return queue.add('email.send', emailSendSchema.parse(data), { ...defaultJobOptions, ...options });
}
