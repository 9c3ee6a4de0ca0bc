import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, FILE_STORE, type FileStore } from '@sp/platform';
import { fileTypeFromBuffer } from 'file-type';
import type { InquiriesConfig } from '../config';
import { type AttachmentLimits, checkAttachments, safeFilename } from './attachment-policy';

/** A file as it arrived (form upload or mail attachment). */
export type IncomingFile = { filename: string; data: Buffer };
/** A file that kept the limits and is stored, ready for its attachment row. */
export type StoredFile = {
  storageKey: string;
  filename: string;
  contentType: string;
  size: number;
};

/**
 * Attachments' files: checked (by their bytes) against the limits, then stored in the file
 * store. Rows are the caller's: if its transaction fails it calls `discard`, so a failed
 * submission leaves no file behind.
 */
@Injectable()
export class AttachmentsService {
  readonly limits: AttachmentLimits;

  constructor(
    @Inject(FILE_STORE) private readonly store: FileStore,
    @Inject(APP_CONFIG) config: InquiriesConfig,
  ) {
    this.limits = {
      contentTypes: config.ATTACHMENT_TYPES,
      maxFileBytes: config.ATTACHMENT_MAX_FILE_BYTES,
      maxFiles: config.ATTACHMENT_MAX_FILES,
      maxTotalBytes: config.ATTACHMENT_MAX_TOTAL_BYTES,
    };
  }

  /** Checks every file against the limits and stores them all, or throws and stores none. */
  async accept(files: IncomingFile[]): Promise<StoredFile[]> {
    const inspected = await Promise.all(
      files.map(async (f) => {
        const detectedType = (await fileTypeFromBuffer(f.data))?.mime;
        return {
          filename: safeFilename(f.filename, detectedType),
          size: f.data.length,
          detectedType,
          data: f.data,
        };
      }),
    );
    checkAttachments(inspected, this.limits);
    const stored: StoredFile[] = [];
    try {
      for (const f of inspected) {
        const storageKey = `inquiries/${randomUUID()}`;
        await this.store.put(storageKey, f.data);
        stored.push({
          storageKey,
          filename: f.filename,
          contentType: f.detectedType ?? 'application/octet-stream',
          size: f.size,
        });
      }
    } catch (error) {
      await this.discard(stored);
      throw error;
    }
    return stored;
  }

  /** Removes stored files whose rows were never written (the transaction failed). */
  async discard(files: StoredFile[]): Promise<void> {
    await Promise.all(files.map((f) => this.store.delete(f.storageKey)));
  }

  open(storageKey: string): Promise<Readable> {
    return this.store.get(storageKey);
  }
}
