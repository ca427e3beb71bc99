export interface WireResponse {
  status: number;
  contentType: string;
  headers?: Record<string, string>;
  body: string;
}
