/**
 * What Dockside reads from SigV4: the access key id, region and service of the credential scope.
 * Signatures are not verified (there is no secret to verify against locally).
 */
export interface CredentialScope {
  accessKeyId: string;
  region: string;
  service: string;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/;

export function parseAuthorization(
  header: string | undefined,
  query?: Record<string, unknown>,
): CredentialScope | undefined {
  let m = header ? CREDENTIAL.exec(header) : null;
  if (!m && typeof query?.['X-Amz-Credential'] === 'string') {
    m = CREDENTIAL.exec(`Credential=${query['X-Amz-Credential']}`);
  }
  return m ? { accessKeyId: m[1], region: m[3], service: m[4] } : undefined;
}

/** A 12-digit access key id is taken as the account id, as LocalStack and moto do. */
export function accountFromAccessKey(accessKeyId: string | undefined, defaultAccount: string): string {
  return accessKeyId && /^\d{12}$/.test(accessKeyId) ? accessKeyId : defaultAccount;
}
