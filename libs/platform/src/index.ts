export * from './database-url';
export * from './project-root';
