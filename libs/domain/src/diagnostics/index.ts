export * from './mesh-installation';
export * from './diagnose-gns';
export * from './mesh-ready';
export * from './passthrough-gateway';
