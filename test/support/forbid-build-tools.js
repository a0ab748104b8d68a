// Preloaded (node --require) into the compiled server by the build test: loading tsx or esbuild,
// which the Docker image does not have at run time, fails at once. Worker threads inherit it.
const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (/^(tsx|esbuild)(\/|$)/.test(request)) throw new Error(`the compiled server loaded ${request}, which it must not need`);
  return load.call(this, request, ...rest);
};
