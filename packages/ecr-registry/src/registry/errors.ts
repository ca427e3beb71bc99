/** OCI distribution errors: `{"errors":[{"code","message","detail"}]}` with the spec's statuses. */
import type { ServerResponse } from 'node:http';

export const OCI_STATUS: Record<string, number> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  TAG_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  RANGE_INVALID: 416,
  PAGINATION_NUMBER_INVALID: 400,
  UNKNOWN: 500,
};

export class OciError extends Error {
  constructor(
    readonly code: keyof typeof OCI_STATUS,
    message: string,
    readonly detail?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendError(res: ServerResponse, e: OciError) {
  const body = JSON.stringify({ errors: [{ code: e.code, message: e.message, detail: e.detail ?? null }] });
  res.writeHead(OCI_STATUS[e.code] ?? 400, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Docker-Distribution-API-Version': 'registry/2.0',
    ...e.headers,
  });
  res.end(body);
}
