// `@sp/platform/core`: the parts of the platform with no Nest in them (the error type, business
// hours, file storage), for code that runs outside a Nest app: the report builder's child
// process (apps/worker/src/reports/build/) loads these and not the ~100 MB of Nest and its
// friends. The runtime entry (`@sp/platform`) re-exports all of it.
export { AppError } from './app-error';
export { fromSpreadsheetSafe, spreadsheetSafe, spreadsheetSafeSql } from './csv/spreadsheet-safe';
export type { FileStore } from './storage/file-store';
export { assertStorageKey, FILE_STORE } from './storage/file-store';
export { LocalDiskFileStore } from './storage/local-disk.file-store';
export type { BusinessHours, BusinessHoursOptions, Closure } from './time/business-hours';
export { businessHours, parseClosures } from './time/business-hours';
