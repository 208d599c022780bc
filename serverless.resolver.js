// The pieces of serverless.yml that follow from the fan-out file (fanout.yml, or FANOUT_CONFIG=FILE): streams,
// consumers, stack outputs, the ARNs roles are scoped to. The framework loads this file with ${file(...)}; the code
// is TypeScript in src/fanout-config/template, loaded through tsx. A bad fan-out file stops the variable
// resolution, before anything is packaged, with its one-line message.
const { require: load } = require('tsx/cjs/api');

const { createResolver } = load('./src/fanout-config/template/resolver.ts', __filename);

module.exports = createResolver(__dirname);
