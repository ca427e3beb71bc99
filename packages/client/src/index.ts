/**
 * Typed client for Dockside's introspection API (`/_dockside/…`). It talks plain HTTP with
 * `fetch`, so it works against a gateway in this process, another process, or a container.
 */
export interface HealthResponse {
  status: 'running';
  version: string;
  services: Array<{ name: string; plugin: string; protocol: string }>;
}

export class DocksideApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    path: string,
  ) {
    super(`Dockside ${path} answered ${status}: ${body.slice(0, 300)}`);
    this.name = 'DocksideApiError';
  }
}

export class DocksideClient {
  private readonly base: string;

  /** @param endpoint the gateway's base URL, e.g. `http://127.0.0.1:4566` */
  constructor(endpoint: string) {
    this.base = endpoint.replace(/\/+$/, '');
  }

  protected async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new DocksideApiError(res.status, text, path);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** `GET /_dockside/health`: loaded services and version. */
  health(): Promise<HealthResponse> {
    return this.request('GET', '/_dockside/health');
  }

  /** `POST /_dockside/reset`: clears every plugin's state. */
  async reset(): Promise<void> {
    await this.request('POST', '/_dockside/reset');
  }
}
