export interface WireResponse {
  status: number;
  contentType: string;
  headers?: Record<string, string>;
  /** The body's text; a large JSON answer comes in pieces, sent one after another (json-pieces.ts). */
  body: string | string[];
}
