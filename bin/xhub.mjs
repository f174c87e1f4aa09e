#!/usr/bin/env node
// `xhub`: in a checkout, the TypeScript sources, which Node 24 runs as they are
// (type stripping: the code uses erasable syntax only); in an installed package
// (npm pack, npm install -g), where Node does not strip types under
// node_modules, the build in dist/ that `prepack` made.
import { existsSync } from 'node:fs';

const source = new URL('../cli/xhub.ts', import.meta.url);
await import(existsSync(source) ? source.href : new URL('../dist/cli/xhub.js', import.meta.url).href);
