import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from '../lib/log.ts';
import { loadPolicy, PolicyError } from '../policies/policy-loader.ts';
import type { Policy, PolicyIssue } from '../policies/policy.types.ts';

export type ReloadResult = { ok: true; policy: Policy } | { ok: false; issues: PolicyIssue[] };

/**
 * The policy in force, replaced atomically by a reload. A changed folder is
 * validated whole first; an invalid one is refused with its reasons and the
 * old policy keeps deciding. Every request reads `current()` once, so it is
 * decided by one policy from start to end.
 */
export class PolicyHolder {
  private policy: Policy;
  private chain: Promise<unknown> = Promise.resolve();
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;

  private readonly prepare: (next: Policy) => Promise<void>;
  private readonly log: Logger;

  constructor(initial: Policy, prepare: (next: Policy) => Promise<void>, log: Logger) {
    this.prepare = prepare;
    this.log = log;
    this.policy = initial;
  }

  current(): Policy {
    return this.policy;
  }

  reload(): Promise<ReloadResult> {
    const run = this.chain.then(() => this.reloadNow());
    this.chain = run.catch(() => {});
    return run;
  }

  /** Reloads shortly after the folder stops changing (editors write files in several steps). */
  watch(onReload: (result: ReloadResult) => void = () => {}): void {
    this.watcher = watch(this.policy.dir, () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.reload().then(onReload), 300);
    });
    this.watcher.unref();
  }

  close(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
  }

  private async reloadNow(): Promise<ReloadResult> {
    let next: Policy;
    try {
      next = await loadPolicy(this.policy.dir);
    } catch (error) {
      const issues = error instanceof PolicyError ? error.issues : [{ file: '', path: '', reason: (error as Error).message }];
      this.log.warn({ issues }, 'policy reload refused; the previous policy stays in force');
      return { ok: false, issues };
    }
    try {
      await this.prepare(next);
    } catch (error) {
      const issues = [{ file: '', path: '', reason: `cannot put the new policy in force: ${(error as Error).message}` }];
      this.log.warn({ issues }, 'policy reload refused; the previous policy stays in force');
      return { ok: false, issues };
    }
    this.policy = next;
    this.log.info({ agreements: next.agreements.length, recordTypes: next.recordTypes.size }, 'policy reloaded');
    return { ok: true, policy: next };
  }
}
