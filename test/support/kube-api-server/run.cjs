/* eslint-disable @typescript-eslint/no-require-imports */
// Runs main.ts without a build: SWC (already a dev dependency, used by jest) transpiles the
// TypeScript files of this folder on require.
const fs = require('node:fs');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const previous = Module._extensions['.ts'];
Module._extensions['.ts'] = function compile(module, filename) {
  if (filename.includes(`${require('node:path').sep}node_modules${require('node:path').sep}`) && previous)
    return previous(module, filename);
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};

require('./main.ts');
