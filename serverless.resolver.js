// The pieces of serverless.yml that follow from the fan-out file (fanout.yml, or FANOUT_CONFIG=FILE): streams,
// consumers, stack outputs, the ARNs roles are scoped to. The framework loads this file with ${file(...)}; the code
// is TypeScript in src/fanout-config/template, loaded through tsx. A bad fan-out file stops the variable
// resolution, before anything is packaged, with its one-line message.
const { require: load } = require('tsx/cjs/api');

// tsx turns source maps on for the whole process when it loads a file, and the framework then parsed the source map
// of every module it loaded after this one (0.4 s of a 10 s `osls package`): put the setting back as it was.
const sourceMaps = process.sourceMapsEnabled;
const { createResolver } = load('./src/fanout-config/template/resolver.ts', __filename);
process.setSourceMapsEnabled(sourceMaps);

module.exports = createResolver(__dirname);
