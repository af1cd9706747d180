export * from './database-url';
export * from './project-root';
export * from './seeded-random';
