/** Jest transformer for the few dependencies published only as ES modules (preact 11, d3): esbuild turns them into CommonJS. */
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, { format: 'cjs', target: 'node20', sourcefile: filename, sourcemap: 'inline', loader: 'js' });
    return { code, map };
  },
};
