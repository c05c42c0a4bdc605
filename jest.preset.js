// Shared jest settings: every project's jest.config.cjs points here.
// Path aliases mirror tsconfig.base.json "paths"; swc compiles TypeScript (type checks run in `typecheck`).
module.exports = {
  testEnvironment: 'node',
  testMatch: ['**/?(*.)+(spec|test).ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    // A lib's test helpers (`@coord/node/testing`) sit under src/testing/; everything else is the lib's index.
    '^@coord/([^/]+)/testing$': '<rootDir>/../../libs/$1/src/testing/index.ts',
    '^@coord/([^/]+)$': '<rootDir>/../../libs/$1/src/index.ts',
  },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        swcrc: false,
        module: { type: 'commonjs' },
        jsc: {
          target: 'es2022',
          keepClassNames: true,
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
      },
    ],
  },
  testTimeout: 30000,
};
