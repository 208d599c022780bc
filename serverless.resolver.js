// The pieces of serverless.yml that follow from the fan-out file (fanout.yml, or FANOUT_CONFIG=FILE): streams,
// consumers, stack outputs, the ARNs roles are scoped to. The framework loads this file with ${file(...)}; the code
// is TypeScript in src/fanout-config/template, loaded through tsx. A bad fan-out file stops the variable
// resolution, before anything is packaged, with its one-line message.
const { register } = require('tsx/cjs/api');

// tsx turns source maps on for the whole process when it loads a file, and the framework then parsed the source map
// of every module it loaded after this one (0.4 s of a 10 s `osls package`): put the setting back as it was.
const sourceMaps = process.sourceMapsEnabled;
// A namespace of its own keeps tsx's hooks to these modules, as tsx's one-off `require` does; a fixed one lets tsx's
// transform cache serve them (it keys on the module's path, and the one-off require's namespace is new each time:
// every module compiled again, 0.65 s of each `osls package`, against 0.3 s).
const tsx = register({ namespace: 'kinesis-fanout-resolver' });
const { createResolver } = tsx.require('./src/fanout-config/template/resolver.ts', __filename);
process.setSourceMapsEnabled(sourceMaps);

module.exports = createResolver(__dirname);
