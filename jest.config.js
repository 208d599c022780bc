/** @type {import('jest').Config} */
const transform = { '^.+\\.(t|j)sx?$': '@swc/jest', '^.+\\.sql$': '<rootDir>/test/text-transform.js' };
// ESM-only packages that jest must transform to CommonJS
const transformIgnorePatterns = ['/node_modules/(?!(aws-local-stepfunctions)/)'];
const common = { transform, transformIgnorePatterns, testEnvironment: 'node', setupFiles: ['<rootDir>/test/setup.ts'] };
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'conformance', testMatch: ['<rootDir>/test/conformance/**/*.test.ts'] },
  ],
};
