export * from './ports';
export * from './four-letter';
export * from './process';
export * from './apache-zookeeper';
export * from './coordinode';
export * from './coordinode-ensemble';
export * from './certs';
