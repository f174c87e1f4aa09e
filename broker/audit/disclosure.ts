import type { Agreement } from '../../policies/policy.types.ts';

const DAY_MS = 86_400_000;

/** When a hand-out may be shown in the citizen's own access log, and the provision that allows keeping it back until then. */
export type Disclosure = { discloseAfter: number; deferral: string };

/**
 * What a `delivered` or `replayed` entry written at `at` under an agreement's
 * `deferDisclosure` records: nothing, or `discloseAfter = at + days × 86 400 000`
 * exactly, with the citation. Computed from the entry's own `at` and signed with
 * it, so the date can be checked against the entry and no later policy change
 * can move it.
 */
export function disclosureOf(rule: Agreement['deferDisclosure'], at: number): Disclosure | undefined {
  return rule ? { discloseAfter: at + rule.days * DAY_MS, deferral: rule.citation } : undefined;
}
