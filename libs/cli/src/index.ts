export * from './program';
export * from './values';
export * from './listen-error';
export * from './launcher';
export * from './lifecycle';
export * from './connect';
