export * from './acl';
export * from './data-tree';
export * from './path';
export * from './txn';
export * from './watch-manager';
export * from './znode';
export * from './snapshot';
export * from './java-order';
