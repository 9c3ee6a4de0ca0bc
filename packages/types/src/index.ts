// Component names in the OpenAPI document: a schema nested in others carries `.meta({ id })`;
// a schema used as a whole request or response is named by its DTO class instead (giving it
// an id as well makes nestjs-zod see two schemas of one name).
export * from './common';
export * from './health';
export * from './partner';
export * from './problem';
export * from './symposium';
export * from './auth';
export * from './audit';
export * from './access';
export * from './events';
export * from './notifications';
