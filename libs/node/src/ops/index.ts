/** Operations support for coord-node: configuration, four-letter words, logging. */
export * from './config';
export * from './env-info';
export * from './four-letter-words';
export * from './java-format';
export * from './logger';
export { parseJavaProperties } from './java-properties';
export { parseZooCfg, knownFourLetterWords } from './zoo-cfg';
