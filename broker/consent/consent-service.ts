import { randomUUID } from 'node:crypto';
import { assertCitizenId } from '../../lib/citizen-id.ts';
import type { SigningKey } from '../../lib/crypto/keys.ts';
import type { Pseudonymiser } from '../../lib/crypto/pseudonym.ts';
import { clip } from '../../lib/input.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import type { Logger } from '../../lib/log.ts';
import type { TokenReplayCheck } from '../claims/token-replay.ts';
import { consentStatus } from '../../policies/consent.types.ts';
import type { Policy } from '../../policies/policy.types.ts';
import { authenticate, type AuthOptions } from '../auth/authenticate.ts';
import { requireRole } from '../auth/require-role.ts';
import type { CallContext } from '../transport/call-context.ts';
import type { AuditWriter } from '../audit/audit-writer.ts';
import type { ConsentLog } from './consent-log.ts';
import { toWire, type ConsentWire } from './consent-wire.ts';
import { grantedEvent } from './consent-events.ts';
import { consentFromGrant, type GrantLimits, type GrantRequest } from './grant-request.ts';
import { signReceipt } from './receipt.ts';

export interface ConsentDeps {
  policy: () => Policy;
  consents: ConsentLog;
  pseudonyms: Pseudonymiser;
  hubKey: SigningKey;
  replay: TokenReplayCheck;
  auth: AuthOptions;
  audit: AuditWriter;
  log: Logger;
  grantLimits: GrantLimits;
}

const MANAGER = ['consent-manager'] as const;
const READERS = ['consent-manager', 'auditor'] as const;

/**
 * The Consent service. Withdrawal is as easy as granting (PDPA s.19): one call,
 * effective at once on this node. A change of mind is a new consent; a granted
 * consent is never edited.
 */
export function consentHandlers(deps: ConsentDeps) {
  const caller = async (ctx: CallContext, roles: readonly ('consent-manager' | 'auditor')[], action: string) => {
    const policy = deps.policy();
    const { agency } = await authenticate(ctx, policy, deps.replay, deps.auth);
    requireRole(policy, agency, [...roles], action);
    return { agency, policy };
  };
  const current = () => {
    if (!deps.consents.view.isCurrent()) throw new HubError('ERR_CONSENT_VIEW_STALE', 'this node has not caught up with the consent log; try again shortly');
  };
  const find = (consentId: string) => {
    const consent = deps.consents.view.get(consentId);
    if (!consent) throw new HubError('ERR_NOT_FOUND', `no consent with id ${clip(consentId)}`);
    return consent;
  };
  const revoke = async (consent: { consentId: string; subjectRef: string; consumer: string }, by: string, reason: string) => {
    const { consentId } = consent;
    await deps.consents.publish({ v: 1, eventId: randomUUID(), type: 'revoked', at: Date.now(), consentId, by, ...(reason ? { reason: storedReason(reason) } : {}) }, consentId);
    await deps.audit.append({ kind: 'consent-revoked', consentId, subjectRef: consent.subjectRef, consumer: consent.consumer, actor: by });
    deps.log.info({ consentId, by }, 'consent revoked');
  };

  return {
    Grant: async (ctx: CallContext, request: GrantRequest): Promise<{ consent: ConsentWire; receipt: string }> => {
      const { agency, policy } = await caller(ctx, MANAGER, 'Grant');
      const consent = consentFromGrant(request, policy, deps.grantLimits, deps.pseudonyms, agency);
      await deps.consents.publish(grantedEvent(consent), consent.consentId);
      await deps.audit.append({
        kind: 'consent-granted',
        consentId: consent.consentId,
        subjectRef: consent.subjectRef,
        consumer: consent.consumer,
        purpose: consent.purposes.join(','),
        recordType: consent.items.map((i) => i.recordType).join(','),
        lawfulBasis: 'consent',
        actor: agency,
      });
      deps.log.info({ consentId: consent.consentId, consumer: consent.consumer, by: agency }, 'consent granted');
      return { consent: toWire({ ...consent, uses: 0 }), receipt: await signReceipt(consent, policy, deps.hubKey) };
    },

    Revoke: async (ctx: CallContext, request: { consentId: string; subject: string; reason: string }): Promise<ConsentWire> => {
      const { agency } = await caller(ctx, MANAGER, 'Revoke');
      assertCitizenId(request.subject);
      current();
      const consent = find(request.consentId);
      if (consent.subjectRef !== deps.pseudonyms.of(request.subject)) {
        throw new HubError('ERR_CONSENT_SUBJECT_MISMATCH', `consent ${consent.consentId} belongs to another person`);
      }
      if (consentStatus(consent, Date.now()) === 'ACTIVE') await revoke(consent, agency, request.reason);
      return toWire(consent);
    },

    Get: async (ctx: CallContext, request: { consentId: string }): Promise<ConsentWire> => {
      await caller(ctx, READERS, 'Get');
      current();
      return toWire(find(request.consentId));
    },

    List: async (ctx: CallContext, request: { subject: string }): Promise<{ consents: ConsentWire[] }> => {
      await caller(ctx, READERS, 'List');
      assertCitizenId(request.subject);
      current();
      return { consents: deps.consents.view.forSubject(deps.pseudonyms.of(request.subject)).map((c) => toWire(c)) };
    },

    RevokeAll: async (ctx: CallContext, request: { subject: string; reason: string }): Promise<{ revokedConsentIds: string[] }> => {
      const { agency } = await caller(ctx, MANAGER, 'RevokeAll');
      assertCitizenId(request.subject);
      current();
      const now = Date.now();
      const active = deps.consents.view.forSubject(deps.pseudonyms.of(request.subject)).filter((c) => consentStatus(c, now) === 'ACTIVE');
      for (const c of active) await revoke(c, agency, request.reason);
      return { revokedConsentIds: active.map((c) => c.consentId) };
    },
  };
}

/**
 * A withdrawal never fails on its reason: a lone surrogate (which RFC 8785 JSON
 * cannot sign) becomes U+FFFD, and the text is cut to the event schema's 512
 * code points without splitting a character.
 */
export function storedReason(reason: string): string {
  return Array.from(reason.toWellFormed()).slice(0, 512).join('');
}
