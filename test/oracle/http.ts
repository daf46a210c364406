// A small keep-alive JSON client for loopback servers (real Cerbos and `verdict serve`), with a
// per-request timeout and bounded concurrency helpers.
import { Agent, request } from "node:http";

export interface JsonResponse {
  status: number;
  body: unknown;
  text: string;
}

export class JsonClient {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(
    baseUrl: string,
    private readonly opts: { maxSockets?: number; timeoutMs?: number } = {},
  ) {
    this.url = new URL(baseUrl);
    if (this.url.hostname !== "127.0.0.1") throw new Error(`refusing non-loopback server ${baseUrl}`);
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 8 });
  }

  get(path: string): Promise<JsonResponse> {
    return this.send("GET", path, undefined);
  }

  post(path: string, body: unknown): Promise<JsonResponse> {
    return this.send("POST", path, JSON.stringify(body));
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, payload: string | undefined): Promise<JsonResponse> {
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path,
          method,
          agent: this.agent,
          headers: payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown = undefined;
            try {
              body = text.length > 0 ? JSON.parse(text) : undefined;
            } catch {
              body = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body, text });
          });
          res.on("error", reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(payload);
    });
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
