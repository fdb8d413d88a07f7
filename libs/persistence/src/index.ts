export * from './database-config';
export * from './tenant';
export * from './rls';
export * from './platform-tables.migration';
export * from './provision';
export * from './data-source';
export * from './database-errors';
export * from './serving-role';
