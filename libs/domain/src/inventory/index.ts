export * from './inventory-update';
