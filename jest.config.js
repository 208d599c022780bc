/** @type {import('jest').Config} */
const transform = { '^.+\\.(t|j)sx?$': '@swc/jest', '^.+\\.sql$': '<rootDir>/test/text-transform.js' };
// ESM-only packages that jest must transform to CommonJS
const transformIgnorePatterns = ['/node_modules/(?!(aws-local-stepfunctions)/)'];
// .fanout/package/<stage> holds copies of the project (local/package.ts): not modules of this one
const modulePathIgnorePatterns = ['<rootDir>/.fanout/'];
const common = {
  transform,
  transformIgnorePatterns,
  modulePathIgnorePatterns,
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/setup.ts'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'conformance', testMatch: ['<rootDir>/test/conformance/**/*.test.ts'] },
  ],
};
