// Component names in the OpenAPI document: a schema nested in others carries `.meta({ id })`;
// a schema used as a whole request or response is named by its DTO class instead (giving it
// an id as well makes nestjs-zod see two schemas of one name).
//
// One folder per service (registry/, symposium/, inquiries/), jobs/ for job payloads and the
// worker, shared/ for what all of them use; each folder's index lists its files.
export * from './shared';
export * from './registry';
export * from './symposium';
export * from './inquiries';
export * from './jobs';
export * from './reports';
