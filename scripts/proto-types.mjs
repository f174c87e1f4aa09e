// Generates the TypeScript types of the gRPC contract from proto/ with
// proto-loader-gen-types (it ships with @grpc/proto-loader), using the same
// options the loader uses at run time (lib/proto.ts LOADER_OPTIONS).
//   node scripts/proto-types.mjs           writes lib/proto-types/
//   node scripts/proto-types.mjs --check   fails if lib/proto-types/ is stale (CI)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = join(root, 'lib', 'proto-types');
const check = process.argv.includes('--check');
const out = check ? mkdtempSync(join(tmpdir(), 'xhub-proto-types-')) : target;
const generator = createRequire(import.meta.url).resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js');
if (!check) rmSync(target, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [
    generator,
    '--keepCase=false', '--longs=String', '--enums=String', '--defaults', '--oneofs', '--arrays', '--includeComments',
    '--grpcLib=@grpc/grpc-js', '--importFileExtension=.ts', '-I', 'proto', '-O', out,
    'xhub/exchange/v1/exchange.proto', 'xhub/consent/v1/consent.proto', 'xhub/audit/v1/audit.proto', 'xhub/access/v1/access.proto',
  ],
  { stdio: 'inherit', cwd: root },
);
if (check) {
  const files = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)).map((g) => join(f, g)) : [f]));
  const want = files(out).sort();
  const have = files(target).sort();
  const stale = [...new Set([...want, ...have])].filter((f) => !want.includes(f) || !have.includes(f) || readFileSync(join(out, f), 'utf8') !== readFileSync(join(target, f), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  if (stale.length > 0) {
    console.error(`lib/proto-types is stale (run npm run proto:types): ${stale.map((f) => relative(root, join(target, f))).join(', ')}`);
    process.exit(1);
  }
  console.log('lib/proto-types matches proto/');
}
