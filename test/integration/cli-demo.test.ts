import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { REPO_ROOT } from '../../cli/demo-setup.ts';

const run = promisify(execFile);

/** The README's first command, as a user runs it: `xhub demo`, then `xhub request` as printed. */
describe('the demo, from the command line', () => {
  let demo: ChildProcess | undefined;
  let state: string;

  afterAll(async () => {
    // The demo runs under npx: signal the whole process group, not only the wrapper.
    const group = demo?.pid === undefined ? undefined : -demo.pid;
    if (group !== undefined) {
      process.kill(group, 'SIGINT');
      await new Promise((r) => setTimeout(r, 2_000));
      try {
        process.kill(group, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (state) await rm(state, { recursive: true, force: true });
  });

  it('starts the hub with the demo agencies and answers the request it suggests, signature verified', async () => {
    state = await mkdtemp(join(tmpdir(), 'xhub-demo-'));
    demo = spawn('npx', ['xhub', 'demo', '--state', state, '--listen', '127.0.0.1:0', '--admin-port', '0', '--console-port', '0'], {
      cwd: REPO_ROOT,
      env: { ...process.env, KAFKA_BROKERS: inject('kafka').brokers.join(','), KAFKA_CA_FILE: inject('kafka').caFile, XHUB_KAFKA_CREDENTIALS_DIR: dirname(inject('kafka').credentialsFiles.admin!), XHUB_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let stderr = '';
    demo.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!stderr.includes('Ctrl-C stops everything') && Date.now() < deadline) {
      if (demo.exitCode !== null) throw new Error(`demo exited: ${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const suggested = /npx (xhub request[\s\S]*?WELFARE_ELIGIBILITY)/.exec(stderr)?.[1];
    expect(suggested, stderr).toBeDefined();
    const args = suggested!.replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean);
    const { stdout } = await run('npx', args, { cwd: REPO_ROOT });
    expect(stdout).toMatch(/record from DOPA, signature verified/);
    expect(stdout).toContain('"firstNameTh": "สมศรี"');
  });
});
