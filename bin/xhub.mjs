#!/usr/bin/env node
// `xhub`: in a checkout, the TypeScript sources (through tsx); in an installed
// package (npm pack, npm install -g), the build in dist/ that `prepack` made.
import { existsSync } from 'node:fs';

const source = new URL('../cli/xhub.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli/xhub.js', import.meta.url).href);
}
