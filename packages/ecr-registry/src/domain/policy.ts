/**
 * Repository policies applied to pulls, as ECR applies them: a principal of the repository's own
 * account may pull unless a statement denies it; a principal of another account needs a statement
 * that allows it, and no statement may deny it. `Condition` blocks are not evaluated (Dockside has
 * no request context to test them against): a statement with conditions applies as if they held.
 */
import { ServiceError } from '@dockside/core';

/** The ECR actions a pull needs (what ECS's execution role policy grants). */
export const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] as const;

interface Statement {
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
}

/** Who is acting: an account, and the role ARN when it is known. */
export interface Principal {
  accountId: string;
  arn?: string;
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** IAM's action wildcards: `*` any run of characters, `?` one; case-insensitive. */
function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(action);
}

function principalMatches(principal: unknown, who: Principal): boolean {
  if (principal === '*') return true;
  if (!principal || typeof principal !== 'object') return false;
  return list((principal as Record<string, unknown>).AWS).some(
    (p) =>
      p === '*' ||
      p === who.accountId ||
      p === `arn:aws:iam::${who.accountId}:root` ||
      (who.arn !== undefined ? p === who.arn : p.startsWith(`arn:aws:iam::${who.accountId}:`)),
  );
}

function applies(s: Statement, who: Principal, action: string): boolean {
  const actionOk = s.NotAction
    ? !list(s.NotAction).some((a) => actionMatches(a, action))
    : list(s.Action).some((a) => actionMatches(a, action));
  const principalOk = s.NotPrincipal ? !principalMatches(s.NotPrincipal, who) : principalMatches(s.Principal, who);
  return actionOk && principalOk;
}

/** `allow`, `deny` (an explicit Deny), or `none` (no statement speaks for this principal and action). */
export function policyDecision(policy: string | undefined, who: Principal, action: string): 'allow' | 'deny' | 'none' {
  if (!policy) return 'none';
  let statements: Statement[];
  try {
    const doc = JSON.parse(policy) as { Statement?: Statement | Statement[] };
    statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  } catch {
    return 'none';
  }
  const matching = statements.filter((s) => applies(s, who, action));
  if (matching.some((s) => s.Effect === 'Deny')) return 'deny';
  return matching.some((s) => s.Effect === 'Allow') ? 'allow' : 'none';
}

/**
 * Throws ECR's AccessDeniedException when `who` may not perform `action` on the repository: an
 * explicit deny, or another account's principal that no statement allows.
 */
export function checkRepositoryAccess(
  repo: { arn: string; registryId: string; policy?: string },
  who: Principal,
  action: string,
): void {
  const decision = policyDecision(repo.policy, who, action);
  const user = who.arn ?? `arn:aws:iam::${who.accountId}:root`;
  if (decision === 'deny')
    throw new ServiceError(
      'AccessDeniedException',
      `User: ${user} is not authorized to perform: ${action} on resource: ${repo.arn} with an explicit deny in a resource-based policy`,
    );
  if (decision === 'none' && who.accountId !== repo.registryId)
    throw new ServiceError(
      'AccessDeniedException',
      `User: ${user} is not authorized to perform: ${action} on resource: ${repo.arn} because no resource-based policy allows the ${action} action`,
    );
}
