// Jest transform for files bundled as text (esbuild's `text` loader): the module's default export is the file.
module.exports = {
  process(sourceText) {
    return { code: `module.exports = { __esModule: true, default: ${JSON.stringify(sourceText)} };` };
  },
};
