// Builds the package as `npm pack` ships it: the TypeScript compiled to dist/
// (relative .ts imports rewritten to .js), and beside it the data the code
// reads relative to itself: the proto contract, the policy schemas, the demo
// policy and the demo agencies' records.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url);
const dist = new URL('dist/', root);
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', new URL('tsconfig.build.json', root).pathname], { stdio: 'inherit' });
for (const asset of ['proto', 'policies/schemas', 'policies/demo', 'connectors/demo-data', 'broker/console/messages']) {
  cpSync(new URL(asset, root), new URL(asset, dist), { recursive: true });
}
console.log('built dist/');
