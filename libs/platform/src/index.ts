export * from './database-url';
export * from './logging';
export * from './project-root';
export * from './seeded-random';
